package dev.portmanager.agent.it;

import dev.portmanager.Allocation;
import dev.portmanager.config.PortManagerConfig;
import dev.portmanager.registry.RedisRegistry;
import dev.portmanager.testing.RedisServer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.io.TempDir;

import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * With a Redis store the agent's registration reaches Redis in the background, and comes back after Redis
 * restarts empty. The lookups come from another (simulated) host, so only Redis can answer them.
 */
class RedisIT {

    static List<Jdk> jdks() {
        return Jdk.all();
    }

    /** On JDK 25 this also shows that Lettuce and Netty inside the agent print nothing (no Unsafe warnings). */
    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void registrationReachesRedisAndReturnsAfterAnEmptyRestart(Jdk jdk, @TempDir Path appState,
                                                               @TempDir Path lookupState) throws Exception {
        try (RedisServer redis = RedisServer.launch(); ServerSocket taken = Ports.hold()) {
            String args = "service=redis-app,type=ml,lease=3s,stateDir=" + appState + ",store=" + redis.uri();
            // Another host's view, straight from the core's Redis registry (PortManager.lookup on this host would
            // answer from the local state directory, and the app's state directory is not the viewer's).
            PortManagerConfig viewer = PortManagerConfig.defaults().withStateDir(lookupState).withStore(redis.uri());
            try (ChildJvm app = ChildJvm.start(jdk, args, List.of(), AgentJar.subjects(),
                    Stack.SERVER_SOCKET.mainClass, Integer.toString(taken.getLocalPort()))) {
                int port = app.awaitListening();
                assertEquals("HELLO serversocket", Ports.request(port, false));

                List<Allocation> found = awaitRedisLookup(viewer, "redis-app", port);
                assertTrue(found.stream().anyMatch(e -> e.port() == port && e.pid() == app.pid()
                        && e.state() == dev.portmanager.AllocationState.LISTENING), found + " " + app);

                redis.restart();
                // The fixture runs Redis without persistence: it is back on the same port with no keys at all.
                found = awaitRedisLookup(viewer, "redis-app", port);
                assertTrue(found.stream().anyMatch(e -> e.port() == port), "re-registered after the restart: " + found
                        + "\n" + app);
                assertTrue(app.stderr().stream().allMatch(l -> l.startsWith("[portmanager] ")), app.toString());

                // At exit the agent closes the core, which withdraws the registration at once (the lease would
                // keep it for seconds more).
                app.stop();
                try (RedisRegistry registry = RedisRegistry.create(viewer)) {
                    assertTrue(registry.lookup("redis-app").stream().noneMatch(a -> a.port() == port),
                            "withdrawn at exit: " + app);
                }
            }
        }
    }

    /** Malformed store URIs whose password holds reserved characters (the core's secrets test uses the same). */
    static List<String> malformedStores() {
        String pw = "Kq7v/Wm3x?Yp8z#Tn4r@Jd5s";
        String enc = "Kq7v%2FWm3x%3FYp8z%23Tn4r%40Jd5s";
        return List.of("redis://app:" + pw + "@cache.internal:6379/0", "REDIS://app:" + enc + "@cache.internal:99999",
                "rediss//app:" + enc + "@cache.internal:6379", "redis://app:" + enc + "@cache internal:6379",
                "redis://app:" + enc + "@cache.internal:6379/db2");
    }

    /** A bad store turns the agent off with one line; no piece of the password is in anything the app printed. */
    @ParameterizedTest
    @MethodSource("malformedStores")
    void aMalformedStoreUriNeverShowsItsPassword(String store, @TempDir Path state) throws Exception {
        String args = "service=secret-app,type=ml,stateDir=" + state + ",store=" + store;
        try (ChildJvm app = ChildJvm.start(Jdk.current(), args, List.of(), AgentJar.subjects(),
                Stack.SERVER_SOCKET.mainClass, Integer.toString(Ports.free()))) {
            String line = app.awaitStderr("[portmanager] ");
            assertTrue(line.contains("store") || line.contains("Redis store URI"), app.toString());
            app.awaitListening(); // the app runs on, unmanaged (fail-open)
            app.stop();
            String all = String.join("\n", app.stdout()) + "\n" + String.join("\n", app.stderr());
            for (String piece : List.of("Kq7v", "Wm3x", "Yp8z", "Tn4r", "Jd5s")) {
                assertTrue(!all.contains(piece), "password piece " + piece + " in:\n" + all);
            }
        }
    }

    /** Polls Redis (60 s bound against a hang only: registration is in the background, renewed every 1 s). */
    private static List<Allocation> awaitRedisLookup(PortManagerConfig config, String service, int port)
            throws InterruptedException {
        long deadline = System.nanoTime() + 60_000_000_000L;
        try (RedisRegistry registry = RedisRegistry.create(config)) {
            List<Allocation> found = List.of();
            while (System.nanoTime() < deadline) {
                try {
                    found = registry.lookup(service);
                } catch (RuntimeException redisNotUpYet) {
                    found = List.of();
                }
                if (found.stream().anyMatch(a -> a.port() == port)) {
                    return found;
                }
                Thread.sleep(200);
            }
            return found;
        }
    }
}
