package dev.portmanager.discovery;

import dev.portmanager.Endpoint;
import dev.portmanager.cli.ChildProcess;
import dev.portmanager.cli.Launcher;
import dev.portmanager.cli.Sidecar;
import dev.portmanager.config.PortManagerConfig;
import dev.portmanager.testing.DeafListener;
import dev.portmanager.testing.PythonHttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** DiscoveryClient against real services started by {@code portmanager run} in child processes. */
class DiscoveryClientTest {
    @TempDir
    Path dir;
    Launcher pm;
    PortManagerConfig config;
    final List<ChildProcess> children = new ArrayList<>();

    @BeforeEach
    void setUp() {
        pm = new Launcher(dir);
        config = PortManagerConfig.defaults().withStateDir(pm.stateDir());
    }

    @AfterEach
    void tearDown() {
        children.forEach(ChildProcess::close);
    }

    private ChildProcess run(String service, String... command) {
        List<String> args = new ArrayList<>(List.of("run", "--service", service, "--type", "testing", "--"));
        args.addAll(List.of(command));
        ChildProcess c = new ChildProcess(pm.builder(args));
        children.add(c);
        return c;
    }

    /** {@code python3 -m http.server}, on loopback, serving an empty directory of this test's. */
    private String[] httpServer() {
        return PythonHttpServer.command("{port}", dir).toArray(String[]::new);
    }

    private static List<Endpoint> awaitInstances(DiscoveryClient d, String service, int n) throws Exception {
        long end = System.currentTimeMillis() + 120_000;
        List<Endpoint> found = List.of();
        RuntimeException lastFailure = null;
        while (System.currentTimeMillis() < end) {
            try {
                // A freshly started sidecar's first answers can outlast the client's 10 s timeout on a machine
                // loaded many times over: that is slowness, not the answer, so keep asking until the deadline.
                found = d.lookup(service);
                lastFailure = null;
            } catch (dev.portmanager.http.ApiException slow) {
                lastFailure = slow;
            }
            if (found.size() >= n) {
                break;
            }
            Thread.sleep(100);
        }
        if (lastFailure != null && found.size() < n) {
            throw lastFailure;
        }
        assertEquals(n, found.size(), found.toString());
        return found;
    }

    @Test
    void findsAndCallsARealServiceThenReportsItGone() throws Exception {
        ChildProcess web = run("emotion", httpServer());
        try (DiscoveryClient discovery = DiscoveryClient.create(config)) {
            Endpoint e = awaitInstances(discovery, "emotion", 1).get(0);
            assertEquals("emotion", e.service());
            assertTrue(pm.ranges().contains("testing", e.port()), e.toString());
            assertEquals(Optional.of(e), discovery.pickHealthy("emotion"));

            URI base = discovery.baseUri("emotion");
            assertEquals("http://" + e.authority(), base.toString());
            HttpResponse<String> r = HttpClient.newBuilder().proxy(HttpClient.Builder.NO_PROXY).build()
                    .send(HttpRequest.newBuilder(base.resolve("/")).timeout(Duration.ofSeconds(20)).build(),
                            HttpResponse.BodyHandlers.ofString()); // a bound on a hang, not on speed
            assertEquals(200, r.statusCode());

            web.terminate();
            web.awaitExit(15_000);
            assertEquals(List.of(), discovery.lookup("emotion"));
            assertEquals(Optional.empty(), discovery.pickHealthy("emotion"));
            ServiceUnavailableException none = assertThrows(ServiceUnavailableException.class,
                    () -> discovery.baseUri("emotion"));
            assertTrue(none.getMessage().contains("no live instance of 'emotion'"), none.getMessage());
        }
    }

    @Test
    void pickHealthyTakesTurnsAndSkipsInstancesThatDoNotAnswer() throws Exception {
        DeafListener deaf = new DeafListener(dir);
        run("pool", httpServer());
        run("pool", httpServer());
        try (DiscoveryClient discovery = DiscoveryClient.create(config)) {
            List<Endpoint> two = awaitInstances(discovery, "pool", 2);
            Set<Integer> picked = new HashSet<>();
            for (int i = 0; i < 4; i++) {
                picked.add(discovery.pickHealthy("pool").orElseThrow().port());
            }
            assertEquals(Set.of(two.get(0).port(), two.get(1).port()), picked, "takes turns");

            run("pool", deaf.command().toArray(String[]::new));
            List<Endpoint> three = awaitInstances(discovery, "pool", 3);
            deaf.stopListening();
            Endpoint third = three.stream().filter(e -> !Set.of(two.get(0).port(), two.get(1).port())
                    .contains(e.port())).findFirst().orElseThrow();
            long end = System.currentTimeMillis() + 10_000;
            while (new HealthProbe(200).accepts(third.address(), third.port()) && System.currentTimeMillis() < end) {
                Thread.sleep(50);
            }
            assertFalse(new HealthProbe(200).accepts(third.address(), third.port()),
                    "the third instance still accepts connections 10 s after it stopped listening");
            assertEquals(3, discovery.lookup("pool").size(), "the third stopped accepting but is still registered");
            Set<Integer> healthy = Set.of(two.get(0).port(), two.get(1).port());
            for (int i = 0; i < 6; i++) {
                assertTrue(healthy.contains(discovery.pickHealthy("pool").orElseThrow().port()));
            }
        }
    }

    @Test
    void throughASidecar() throws Exception {
        run("viasidecar", httpServer());
        try (Sidecar sidecar = Sidecar.start(pm, List.of(), List.of());
             DiscoveryClient discovery = DiscoveryClient.connect(sidecar.url())) {
            Endpoint e = awaitInstances(discovery, "viasidecar", 1).get(0);
            assertEquals(Optional.of(e), discovery.pickHealthy("viasidecar"));
            assertEquals("http://" + e.authority(), discovery.baseUri("viasidecar").toString());
            assertEquals(List.of(), discovery.lookup("nobody"));
        }
    }

    @Test
    void creatingAClientStartsNothing() {
        Set<Thread> before = Thread.getAllStackTraces().keySet();
        try (DiscoveryClient d = DiscoveryClient.create(config.withStore("redis://127.0.0.1:1"))) {
            assertEquals(List.of(), clientThreadsStartedSince(before), "no thread until the first lookup");
        }
        try (DiscoveryClient d = DiscoveryClient.connect(URI.create("http://127.0.0.1:1"))) {
            assertEquals(List.of(), clientThreadsStartedSince(before));
        }
        assertThrows(IllegalArgumentException.class, () -> DiscoveryClient.connect(URI.create("ftp://x")));
    }

    /**
     * Threads that appeared since {@code before} and belong to the client: by name, or by what they run. Other
     * threads of the test JVM (a pool worker of an earlier test, say) may come and go meanwhile; they are no
     * evidence either way, and comparing whole thread sets made this test fail now and then.
     */
    private static List<String> clientThreadsStartedSince(Set<Thread> before) {
        List<String> found = new ArrayList<>();
        Thread.getAllStackTraces().forEach((thread, stack) -> {
            if (before.contains(thread)) {
                return;
            }
            boolean named = CLIENT_THREAD_NAME.matcher(thread.getName()).find();
            boolean running = java.util.Arrays.stream(stack)
                    .anyMatch(f -> CLIENT_CODE.matcher(f.getClassName()).find());
            if (named || running) {
                found.add(thread.getName() + " " + java.util.Arrays.toString(stack));
            }
        });
        return found;
    }

    private static final java.util.regex.Pattern CLIENT_THREAD_NAME =
            java.util.regex.Pattern.compile("(?i)portmanager|lettuce|netty|nioEventLoop|epoll|reactor|HttpClient");
    private static final java.util.regex.Pattern CLIENT_CODE =
            java.util.regex.Pattern.compile("^(dev\\.portmanager\\.(?!discovery\\.DiscoveryClientTest)|io\\.lettuce"
                    + "|io\\.netty|reactor\\.|jdk\\.internal\\.net\\.http)");
}
