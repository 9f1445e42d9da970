package dev.portmanager.agent.it;

import com.sun.net.httpserver.HttpServer;
import dev.portmanager.Allocation;
import dev.portmanager.AllocationRequest;
import dev.portmanager.PortManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/**
 * Client connects under the agent, on JDK 17 and 25, in real child JVMs: a legacy client dialing a hardcoded port
 * reaches the service that moved off it, through every client stack, with no route configured; a kept port stays
 * with its keeper; a route picks a service per caller package; a refused target fails (never the squatter); an
 * ambiguous port says so once; a bad route item and a route to an unknown service are one line each.
 *
 * <p>One host, one state directory for the class:
 * <ul>
 *   <li>P: an unrelated HTTP server (the squatter) holds it; {@code emotion}, a JDK HttpServer under the agent with
 *       P hardcoded, moved to Q;</li>
 *   <li>V: {@code hrm} kept it, {@code voice} moved off it (the design's 8085 clash);</li>
 *   <li>R: a squatter holds it; {@code ghost} moved off it but nothing listens where it went;</li>
 *   <li>A: a squatter holds it; {@code amb1} and {@code amb2} both moved off it.</li>
 * </ul>
 * The test process owns the hrm, voice, ghost and amb allocations (through the core), with real listeners for
 * hrm and voice: the rule reads allocations, whoever holds them.
 */
class ConnectIT {
    @TempDir
    static Path stateDir;

    private static final List<HttpServer> servers = new ArrayList<>();
    private static PortManager owner;
    private static ChildJvm emotion;
    private static int p;
    private static int q;
    private static int v;
    private static int voicePort;
    private static int r;
    private static int ghostPort;
    private static java.net.Socket ghostHold;
    private static int a;

    static Stream<Jdk> jdks() {
        return Jdk.all().stream();
    }

    /** The client stacks that need a kernel feature (containers may forbid io_uring, say): a case of their own each. */
    static Stream<Arguments> nativeStacks() {
        return Jdk.all().stream().flatMap(jdk -> Stream.of("netty-epoll", "netty-io_uring")
                .map(stack -> Arguments.of(jdk, stack)));
    }

    @BeforeAll
    static void fleet() throws Exception {
        p = answer(0, "SQUATTER-P");
        r = answer(0, "SQUATTER-R");
        a = answer(0, "SQUATTER-A");
        emotion = ChildJvm.start(Jdk.current(), "service=emotion,type=ml,stateDir=" + stateDir, List.of(),
                AgentJar.subjects(), "dev.portmanager.agent.subjects.HttpServerApp", Integer.toString(p));
        q = emotion.awaitListening();
        assertTrue(q != p, "emotion moved off its taken port: " + emotion);

        // The children's ranges (Ports.ranges), not the defaults other builds share: voice and ghost bind what this
        // manager grants them, so another build's app must not be granted the same ports.
        owner = PortManager.open(Ports.ranges().config().withStateDir(stateDir));
        v = Ports.free(); // of this JVM's block: no other build's test binds it before hrm's listener does
        Allocation hrm = owner.allocate(AllocationRequest.forService("hrm").type("ml").preferredPort(v));
        assertEquals(v, hrm.port(), "hrm keeps its free port");
        answer(v, "HELLO hrm");
        owner.markListening(hrm, "127.0.0.1");
        Allocation voice = owner.allocate(AllocationRequest.forService("voice").type("ml").preferredPort(v));
        voicePort = voice.port();
        assertTrue(voicePort != v, "voice moves: hrm holds " + v);
        answer(voicePort, "HELLO voice");
        owner.markListening(voice, "127.0.0.1");

        // registered, but nothing listens there: a bound, non-listening socket keeps the port (other builds on
        // this host cannot take it) and refuses connections
        java.util.Set<Integer> unusable = new java.util.HashSet<>();
        for (int attempt = 0; ghostHold == null; attempt++) {
            Allocation ghost = owner.allocate(AllocationRequest.forService("ghost").type("ml").preferredPort(r)
                    .excluding(unusable));
            java.net.Socket hold = new java.net.Socket();
            try {
                // no SO_REUSEADDR: then nobody else can bind it either; a port that other tests' connections left in
                // TIME_WAIT fails here, and the next grant is tried
                hold.bind(new InetSocketAddress(ghost.port()));
                ghostHold = hold;
                ghostPort = ghost.port();
                owner.markListening(ghost, "127.0.0.1");
            } catch (java.io.IOException takenMeanwhile) {
                hold.close();
                owner.release(ghost);
                unusable.add(ghost.port());
                assertTrue(attempt < 30, "cannot hold a granted port " + ghost.port() + ": " + takenMeanwhile);
            }
        }
        for (String service : new String[] {"amb1", "amb2"}) {
            owner.markListening(owner.allocate(AllocationRequest.forService(service).type("ml").preferredPort(a)),
                    "127.0.0.1");
        }
    }

    @AfterAll
    static void stop() {
        if (emotion != null) {
            emotion.close();
        }
        if (owner != null) {
            owner.close();
        }
        servers.forEach(s -> s.stop(0));
        if (ghostHold != null) {
            try {
                ghostHold.close();
            } catch (java.io.IOException ignored) {
                // closing anyway
            }
        }
    }

    /** An HTTP server in this process answering {@code body} on {@code port} (0: any); returns its port. */
    private static int answer(int port, String body) throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress(port), 0);
        server.createContext("/", exchange -> {
            byte[] bytes = (body + "\n").getBytes(StandardCharsets.US_ASCII);
            exchange.sendResponseHeaders(200, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        });
        server.start();
        servers.add(server);
        return server.getAddress().getPort();
    }

    private static ChildJvm client(Jdk jdk, String extraArgs, String... calls) throws Exception {
        return ChildJvm.start(jdk, "service=gateway,stateDir=" + stateDir + extraArgs,
                Stack.NETTY_NIO.jvmOptions(jdk, "-Xverify:all"), AgentJar.subjectsWithNetty(),
                "dev.portmanager.agent.subjects.ConnectClientApp", calls);
    }

    /**
     * RESULT lines by "stack port" (the last one when a call repeats), once the client has exited (it does after
     * DONE): its stderr is read by another thread, so the agent's lines are complete only when both pumps are done.
     */
    private static Map<String, String> results(ChildJvm app) throws InterruptedException {
        app.awaitStdout("DONE");
        assertEquals(0, app.awaitExit(), app.toString());
        Map<String, String> byCall = new HashMap<>();
        for (String line : app.stdout()) {
            if (line.startsWith("RESULT ")) {
                String[] parts = line.split(" ", 4);
                byCall.put(parts[1] + " " + parts[2], parts[3]);
            }
        }
        return byCall;
    }

    private static List<String> agentLines(ChildJvm app, String containing) {
        List<String> found = new ArrayList<>();
        for (String line : app.stderr()) {
            if (line.startsWith("[portmanager] ") && line.contains(containing)) {
                found.add(line);
            }
        }
        return found;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void hardcodedPortsFollowTheServiceThatMovedWithoutRoutes(Jdk jdk) throws Exception {
        String[] stacks = {"socket", "url", "channel", "adaptor", "httpclient", "async", "netty-nio"};
        List<String> calls = new ArrayList<>();
        for (String stack : stacks) {
            calls.add(stack + ":" + p);
        }
        calls.addAll(List.of("socket:" + v, "voice:" + v, "hrm:" + v, "socket:" + r, "socket:" + a, "async:" + a));
        try (ChildJvm app = client(jdk, "", calls.toArray(new String[0]))) {
            Map<String, String> got = results(app);
            for (String stack : stacks) {
                String result = got.get(stack + " " + p);
                String remote = stack.equals("url") || stack.equals("httpclient") ? "-" : Integer.toString(q);
                assertEquals("HELLO httpserver remote=" + remote, result,
                        stack + " reaches emotion at its real port, never the squatter: " + app);
            }
            assertEquals("HELLO hrm remote=" + v, got.get("socket " + v), "a kept port stays: " + app);
            assertEquals("HELLO hrm remote=" + v, got.get("voice " + v), "no route: voice stays on the keeper: " + app);
            assertEquals("HELLO hrm remote=" + v, got.get("hrm " + v), app.toString());
            assertEquals("REFUSED", got.get("socket " + r), "refused target fails, no fallback: " + app);
            assertEquals("SQUATTER-A remote=" + a, got.get("socket " + a), "ambiguous: as asked: " + app);
            assertEquals("SQUATTER-A remote=" + a, got.get("async " + a), app.toString());

            assertEquals(List.of("[portmanager] gateway: connect 127.0.0.1:" + p + " -> " + q + " (emotion)"),
                    agentLines(app, ":" + p + " "), "one line per distinct redirect: " + app);
            assertEquals(List.of("[portmanager] gateway: connect 127.0.0.1:" + r + " -> " + ghostPort + " (ghost)"),
                    agentLines(app, ":" + r + " "), app.toString());
            List<String> ambiguous = agentLines(app, ":" + a + " ");
            assertEquals(1, ambiguous.size(), "the ambiguous case says so once: " + app);
            assertTrue(ambiguous.get(0).startsWith("[portmanager] gateway: connect to 127.0.0.1:" + a + " goes")
                    && ambiguous.get(0).contains("amb1 and amb2 all moved from " + a)
                    && ambiguous.get(0).contains("goes ahead as asked"), app.toString());
            assertEquals(3, agentLines(app, "").size(), "nothing else from the agent: " + app);
        }
    }

    /**
     * The same through a client stack that needs a kernel feature. Where the kernel lacks it the case is aborted
     * with the reason, so the build summary counts it as skipped instead of passing unchecked.
     */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("nativeStacks")
    void nativeClientStacksFollowTheServiceThatMoved(Jdk jdk, String stack) throws Exception {
        try (ChildJvm app = client(jdk, "", stack + ":" + p)) {
            String result = results(app).get(stack + " " + p);
            assumeFalse(result != null && result.startsWith("UNAVAILABLE"), () -> jdk + " " + stack + ": " + result);
            assertEquals("HELLO httpserver remote=" + q, result, stack + " reaches emotion at its real port: " + app);
            assertEquals(List.of("[portmanager] gateway: connect 127.0.0.1:" + p + " -> " + q + " (emotion)"),
                    agentLines(app, ""), app.toString());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void aRoutePicksTheServicePerCallerPackage(Jdk jdk) throws Exception {
        String routes = ",routes=" + v + "@dev.portmanager.agent.subjects.voice=voice;bogus;" + v + "=nosuch";
        try (ChildJvm app = client(jdk, routes, "voice:" + v, "hrm:" + v, "socket:" + p)) {
            Map<String, String> got = results(app);
            assertEquals("HELLO voice remote=" + voicePort, got.get("voice " + v), "the voice handler reaches voice: " + app);
            assertEquals("HELLO hrm remote=" + v, got.get("hrm " + v), "the HRM handler stays on hrm: " + app);
            assertEquals("HELLO httpserver remote=" + q, got.get("socket " + p), "the default rule still applies: " + app);
            assertEquals(List.of("[portmanager] gateway: route 'bogus' from agent argument routes ignored: expected "
                            + "PORT=SERVICE or PORT@PREFIX=SERVICE items separated by ';' "
                            + "(8085=voice;8085@com.acme.gateway.voice=voice), PORT 1-65535, PREFIX a class name "
                            + "prefix, SERVICE a service name"),
                    agentLines(app, "'bogus'"), app.toString());
            assertEquals(List.of("[portmanager] gateway: route " + v + "=nosuch ignored: no service 'nosuch' is known "
                            + "(not in the config file's services, no instance on this host)"),
                    agentLines(app, "nosuch"), app.toString());
            assertEquals(List.of("[portmanager] gateway: connect 127.0.0.1:" + v + " -> " + voicePort + " (voice)"),
                    agentLines(app, ":" + v + " "), app.toString());
        }
    }
}
