package dev.portmanager.samples.hosts;

import dev.portmanager.samples.demo.Settings;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Two hosts and a Redis, each in its own network namespace on one bridge (see {@link NetworkHosts}): the same
 * legacy service, emotion with its hardcoded 8088, runs under the agent on host a and on host b, where an
 * unrelated python3 http.server took 8088 first, so b's emotion moved. Each host has its own state directory and
 * its own {@code host}/{@code advertise} settings (the namespaces share one host name); Redis is the registry.
 *
 * <p>Skipped, saying why, where network namespaces cannot be made (not root, no iproute2).
 */
class CrossHostIT {
    static final Path HOME = Path.of(System.getProperty("portmanager.home", "..")).toAbsolutePath().normalize();
    private static final int EMOTION_PORT = 8088;
    private static final int REDIS_PORT = 6379; // the registry host's own port space: nothing else is there
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final Pattern LISTENING = Pattern.compile("^emotion listening on (\\d+)$", Pattern.MULTILINE);
    private static final Pattern ANSWER =
            Pattern.compile("^emotion \\(AsynchronousServerSocketChannel\\) listening on port (\\d+), pid (\\d+)$", Pattern.MULTILINE);

    private static NetworkHosts net;
    private static Path dir;
    private static Settings settings;
    private static NetworkHosts.Host registry;
    private static NetworkHosts.Host a;
    private static NetworkHosts.Host b;
    private static Process emotionA;
    private static Process emotionB;
    private static int portB;

    /** Why this machine cannot run these tests, or null. */
    private static String skipReason;

    @BeforeAll
    static void startHostsAndServices() throws Exception {
        skipReason = NetworkHosts.unavailable().orElse(null);
        if (skipReason == null) {
            try {
                net = NetworkHosts.create("registry", "a", "b");
            } catch (IOException e) {
                skipReason = "cannot create network namespaces here: " + e.getMessage();
            }
        }
        if (skipReason != null) {
            // The build's console shows only a count of skipped tests; say why on the JVM's own stderr, which
            // Surefire passes through to the console (System.err goes to the report file).
            PrintStream console = new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.UTF_8);
            console.println("[WARNING] CrossHostIT: its tests are skipped: " + skipReason);
            return;
        }
        dir = Files.createTempDirectory("portmanager-hosts-");
        // Only for the jars' paths and the java binary: each host's state and store are in its config file.
        settings = new Settings(HOME, dir.resolve("unused-state"), "unused", dir);
        settings.requireBuilt();
        registry = net.host("registry");
        a = net.host("a");
        b = net.host("b");

        // No password and not protected-mode: it is reachable only inside these namespaces.
        Process redis = net.start(registry, List.of("redis-server", "--bind", registry.address(), "--port",
                Integer.toString(REDIS_PORT), "--save", "", "--appendonly", "no", "--protected-mode", "no", "--dir", dir.toString()),
                dir, dir.resolve("redis.log"), Map.of());
        awaitListening(registry, redis, REDIS_PORT, "redis-server on " + registry.name(), dir.resolve("redis.log"));
        writeConfig(a);
        writeConfig(b);

        // The unrelated process on b: python3's stock http.server, serving an empty directory, on 8088.
        Path empty = Files.createDirectories(dir.resolve("b-squatter"));
        Process squatter = net.start(b, List.of("python3", "-m", "http.server", Integer.toString(EMOTION_PORT)),
                empty, dir.resolve("b-squatter.log"), Map.of());
        awaitListening(b, squatter, EMOTION_PORT, "python3 -m http.server on " + b.name(), dir.resolve("b-squatter.log"));

        emotionA = startEmotion(a);
        emotionB = startEmotion(b);
        int portA = awaitEmotionPort(a);
        portB = awaitEmotionPort(b);
        assertEquals(EMOTION_PORT, portA, "8088 is free on host a: its emotion keeps it");
        assertTrue(portB >= 8300 && portB <= 8499, () -> "8088 is squatted on host b: its emotion moves into the ml "
                + "range, not to " + portB + "; squatter alive: " + squatter.isAlive() + ", log:\n"
                + read(dir.resolve("b-squatter.log")) + "\nemotion's log:\n" + read(emotionLog(b)));
    }

    /** Skipped (counted so in the test summary), with the reason, where namespaces cannot be made. */
    @BeforeEach
    void needsNetworkNamespaces() {
        assumeTrue(skipReason == null, () -> "CrossHostIT skipped: " + skipReason);
    }

    @AfterAll
    static void tearDown() throws IOException {
        if (net != null) {
            net.close();
        }
        if (dir != null) {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** `portmanager lookup emotion` on host a lists both instances, each at its own host's address and port. */
    @Test
    void lookupOnHostAListsBothHostsInstances() throws Exception {
        awaitBothInstancesListedOnA();
    }

    /**
     * Waits until {@code portmanager lookup emotion} on host a lists exactly both instances: b's agent registers in
     * Redis from a background thread, and creates its Redis client up to 2 s after its JVM starts (so that Lettuce
     * stays off the app's start), so b's move reaches other hosts a little after b listens.
     */
    private void awaitBothInstancesListedOnA() throws Exception {
        Set<String> expected = new TreeSet<>(List.of(a.address() + ":" + EMOTION_PORT, b.address() + ":" + portB));
        List<String> cmd = List.of(Settings.java(), "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-jar", settings.sidecarJar().toString(),
                "--config", config(a).toString(), "lookup", "emotion");
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        NetworkHosts.Result r;
        // b's agent registers in Redis from a background thread: wait for it, within a deadline.
        while (true) {
            r = net.run(a, cmd, dir, Map.of());
            Set<String> listed = r.output().lines().map(String::strip).filter(l -> !l.isEmpty())
                    .collect(Collectors.toCollection(TreeSet::new));
            if (r.status() == 0 && listed.equals(expected)) {
                return;
            }
            if (System.nanoTime() > deadline) {
                fail("portmanager lookup emotion on host a printed (status " + r.status() + "):\n" + r.output()
                        + "\nexpected exactly " + expected);
            }
            Thread.sleep(200);
        }
    }

    /**
     * A legacy client under the agent on host a dials b's address and the hardcoded 8088, where b's unrelated
     * python3 listens: its agent learns from the registry that b's emotion moved, and connects there instead. The
     * client calls once a second. Its agent waits a bounded time (its timeout) for the registry's first reading
     * before the very first connect; on a very loaded machine that reading can come later, and then calls made before
     * it may reach the squatter, but only after the agent's line saying so. Once the redirect is logged, every call must reach b's emotion, and the redirect must be to it.
     */
    @Test
    void legacyClientOnHostAReachesTheInstanceThatMovedOnHostB() throws Exception {
        // b's move must be in the registry before a's client can be sent there: until then, the hardcoded port is
        // all anyone knows, and a call to it reaching b's squatter is no fault of a's agent.
        awaitBothInstancesListedOnA();
        Path log = dir.resolve("a-client.log");
        List<String> cmd = List.of(Settings.java(), "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-javaagent:" + settings.agentJar() + "=service=emotion-client,config=" + config(a),
                "-cp", settings.samplesJar().toString(), "dev.portmanager.samples.fleet.EmotionClient", b.address(), "60");
        Process client = net.start(a, cmd, dir, log, Map.of());
        String redirect = "[portmanager] emotion-client: connect " + b.address() + ":" + EMOTION_PORT + " -> "
                + b.address() + ":" + portB + " (emotion)";
        try {
            long deadline = System.nanoTime() + Duration.ofSeconds(45).toNanos();
            while (true) {
                List<String> lines = Files.readAllLines(log);
                int redirected = lines.indexOf(redirect);
                List<String> after = redirected < 0 ? List.of() : lines.subList(redirected + 1, lines.size());
                if (after.size() >= 3) {
                    // A call before the redirect may only miss it when the agent said its registry wait ran out.
                    boolean waitRanOut = lines.stream().anyMatch(l -> l.contains("the registry gave no answer within"));
                    for (String early : lines.subList(0, redirected)) {
                        if (!early.startsWith("[portmanager]") && !ANSWER.matcher(early).matches()) {
                            assertTrue(waitRanOut, "a call before the redirect reached another process, and the agent "
                                    + "did not say its registry wait ran out:\n" + String.join("\n", lines));
                        }
                    }
                    for (String answer : after) {
                        Matcher m = ANSWER.matcher(answer);
                        assertTrue(m.matches(), "after the redirect, a call did not reach b's emotion:\n" + String.join("\n", lines));
                        assertEquals(portB, Integer.parseInt(m.group(1)), answer);
                        assertEquals(emotionB.pid(), Long.parseLong(m.group(2)), "answered by another process than b's emotion: " + answer);
                    }
                    return;
                }
                if (!client.isAlive() || System.nanoTime() > deadline) {
                    fail("the client on host a " + (client.isAlive() ? "logged no '" + redirect + "' and three calls after it within 45 s"
                            : "exited with status " + client.exitValue()) + ":\n" + String.join("\n", lines));
                }
                Thread.sleep(100);
            }
        } finally {
            client.destroyForcibly();
        }
    }

    private static String read(Path log) {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(" + e + ")";
        }
    }

    private static Path config(NetworkHosts.Host h) {
        return dir.resolve(h.name() + ".yaml");
    }

    /** Each host: its own state directory, its name and address in the registry, and the shared Redis. */
    private static void writeConfig(NetworkHosts.Host h) throws IOException {
        Files.createDirectories(dir.resolve(h.name() + "-state"));
        Files.writeString(config(h), String.join("\n",
                "stateDir: " + dir.resolve(h.name() + "-state"),
                "store: redis://" + registry.address() + ":" + REDIS_PORT,
                "host: host-" + h.name(),
                "advertise: " + h.address(),
                ""));
    }

    private static Process startEmotion(NetworkHosts.Host h) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Settings.java(), "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-Xmx128m", "-javaagent:" + settings.agentJar() + "=service=emotion,type=ml,config=" + config(h),
                "-cp", settings.samplesJar().toString(), "dev.portmanager.samples.fleet.Emotion"));
        return net.start(h, cmd, dir, emotionLog(h), Map.of());
    }

    private static Path emotionLog(NetworkHosts.Host h) {
        return dir.resolve(h.name() + "-emotion.log");
    }

    /** The port emotion says it listens on (its own getLocalAddress()), once it says so. */
    private static int awaitEmotionPort(NetworkHosts.Host h) throws Exception {
        Process p = h == a ? emotionA : emotionB;
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (true) {
            String log = Files.readString(emotionLog(h));
            Matcher m = LISTENING.matcher(log);
            if (m.find()) {
                int port = Integer.parseInt(m.group(1));
                awaitListening(h, p, port, "emotion on " + h.name(), emotionLog(h));
                return port;
            }
            if (!p.isAlive() || System.nanoTime() > deadline) {
                fail("emotion on host " + h.name() + (p.isAlive() ? " did not listen within " + START_TIMEOUT.toSeconds()
                        + " s" : " exited with status " + p.exitValue()) + ":\n" + log);
            }
            Thread.sleep(50);
        }
    }

    /** Waits until the kernel shows {@code port} listening in {@code host}'s namespace, where {@code p} runs. */
    static void awaitListening(NetworkHosts.Host host, Process p, int port, String what, Path log) throws Exception {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (!NetworkHosts.listeningPorts(host, p.toHandle()).contains(port)) {
            if (!p.isAlive() || System.nanoTime() > deadline) {
                fail(what + (p.isAlive() ? " does not listen on " + port : " exited with status " + p.exitValue())
                        + ":\n" + Files.readString(log));
            }
            Thread.sleep(50);
        }
    }
}
