package dev.portmanager.contract;

import dev.portmanager.Allocation;
import dev.portmanager.AllocationRequest;
import dev.portmanager.Endpoint;
import dev.portmanager.PortManager;
import dev.portmanager.config.ConfigFile;
import dev.portmanager.config.PortManagerConfig;
import dev.portmanager.testing.ProcessLines;
import dev.portmanager.testing.RedisServerExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The same contract with a real redis-server as the registry, plus what only a registry can do. */
class RedisStoreContractTest extends PortManagerContract {
    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    @Override
    String store() {
        return REDIS.uri();
    }

    /** Seen from another host (another name, another state directory), the registry holds all 1000. */
    @Override
    void afterRace(Path configFile, Set<Integer> ports) {
        PortManagerConfig elsewhere = ConfigFile.load(configFile).withHost("other-host")
                .withStateDir(dir.resolve("other-host-state"));
        try (PortManager other = PortManager.open(elsewhere)) {
            Set<Integer> seen = other.allocations().stream().filter(a -> a.host().equals("test-host"))
                    .map(Allocation::port).collect(Collectors.toSet());
            assertEquals(ports, seen);
        }
    }

    @Test
    void anotherHostFindsTheServiceByNameThroughRedis() throws Exception {
        PortManager here = open(config());
        PortManager there = open(config().withHost("other-host").withStateDir(dir.resolve("other")));
        Allocation a = here.allocate(AllocationRequest.forService("emotion").type("ml"));
        try (ServerSocket s = new ServerSocket(a.port(), 50, InetAddress.getLoopbackAddress())) {
            here.markListening(a, "127.0.0.1");
            assertTrue(here.flushRegistry(Duration.ofSeconds(60)));
            List<Endpoint> found = there.lookup("emotion");
            assertEquals(1, found.size());
            assertEquals("test-host", found.get(0).host());
            assertEquals(a.port(), found.get(0).port());
            here.release(a);
            assertTrue(here.flushRegistry(Duration.ofSeconds(60)));
            assertTrue(there.lookup("emotion").isEmpty(), "withdrawn on release");
        }
    }

    @Test
    void sameHostWithAnotherStateDirectoryFindsTheServiceThroughRedis() throws Exception {
        PortManager here = open(config());
        Allocation a = here.allocate(AllocationRequest.forService("emotion").type("ml"));
        try (ServerSocket s = new ServerSocket(a.port(), 50, InetAddress.getLoopbackAddress())) {
            here.markListening(a, "127.0.0.1");
            assertTrue(here.flushRegistry(Duration.ofSeconds(60)));
            // A reader that publishes nothing, on the same host name but its own state directory.
            PortManager reader = open(config().withStateDir(dir.resolve("reader")));
            assertEquals(List.of(a.port()), reader.lookup("emotion").stream().map(Endpoint::port).toList());
        }
    }

    @Test
    void killedOwnerDisappearsFromRedisWithinItsLease() throws Exception {
        PortManager there = open(config().withHost("other-host").withStateDir(dir.resolve("other")));
        Path configFile = dir.resolve("one.yaml");
        PortManagerConfig c = config();
        java.nio.file.Files.writeString(configFile, "stateDir: " + c.stateDir() + "\nstore: " + store()
                + "\nhost: test-host\nlease: 4s\nranges:\n  ml: { start: " + c.ranges().get("ml").start() + ", end: "
                + c.ranges().get("ml").end() + " }\n  dynamic: { start: " + c.ranges().get("dynamic").start()
                + ", end: " + c.ranges().get("dynamic").end() + " }\n");
        Process child = allocateMany(configFile, "doomed", 1, dir.resolve("doomed.err"));
        ProcessLines out = ProcessLines.of(child);
        int port = Integer.parseInt(out.next(Duration.ofSeconds(60)).trim());
        assertEquals("done", out.next(Duration.ofSeconds(60)));
        assertTrue(there.allocations().stream().anyMatch(a -> a.port() == port && a.service().equals("doomed")));
        child.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        // Nobody withdraws it: only its lease ends it. Polled with a bound that only stops a hang (how soon
        // after the lease it goes is Redis's expiry, not this test's business).
        long deadline = System.currentTimeMillis() + 30_000;
        boolean gone = false;
        while (!gone && System.currentTimeMillis() < deadline) {
            gone = there.allocations().stream().noneMatch(a -> a.port() == port && a.service().equals("doomed"));
            Thread.sleep(100);
        }
        assertTrue(gone, "gone from Redis once its 4 s lease ran out");
        assertFalse(open(config()).allocations().stream().anyMatch(a -> a.port() == port),
                "and free on its host (after the cool-down)");
    }
}
