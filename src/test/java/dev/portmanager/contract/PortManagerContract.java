package dev.portmanager.contract;

import dev.portmanager.Allocation;
import dev.portmanager.AllocationRequest;
import dev.portmanager.Endpoint;
import dev.portmanager.PortManager;
import dev.portmanager.config.PortManagerConfig;
import dev.portmanager.testing.AllocateMany;
import dev.portmanager.testing.ProcessLines;
import dev.portmanager.testing.TestConfigs;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The contract every store meets, run unchanged against the embedded store and against Redis: what one process
 * allocates another sees, discovery by name, release, and several JVMs racing on one state directory.
 */
abstract class PortManagerContract {
    @TempDir
    Path dir;

    private final List<Process> children = new ArrayList<>();
    private final List<PortManager> managers = new ArrayList<>();

    /** "embedded" or a redis URI. */
    abstract String store();

    /** Extra checks a store makes once the race is over (the registry holds every port, say). */
    abstract void afterRace(Path configFile, Set<Integer> ports) throws Exception;

    @AfterEach
    void cleanUp() throws InterruptedException {
        managers.forEach(PortManager::close);
        children.forEach(Process::destroyForcibly);
        for (Process p : children) {
            p.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** A child JVM running {@link AllocateMany} on {@code configFile}, killed after the test if still running. */
    Process allocateMany(Path configFile, String service, int count, Path stderr) throws IOException {
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), AllocateMany.class.getName(),
                configFile.toString(), service, Integer.toString(count))
                .redirectError(stderr.toFile()).start();
        children.add(p);
        return p;
    }

    PortManager open(PortManagerConfig config) {
        PortManager pm = PortManager.open(config);
        managers.add(pm);
        return pm;
    }

    PortManagerConfig config() {
        return TestConfigs.smallRanges(dir.resolve("state")).withStore(store()).withLease(Duration.ofSeconds(3));
    }

    @Test
    void whatOneManagerAllocatesAnotherSeesAndFindsByName() throws IOException {
        PortManagerConfig config = config();
        PortManager first = open(config);
        PortManager second = open(config);
        Allocation a = first.allocate(AllocationRequest.forService("emotion").type("ml"));
        assertTrue(second.allocations().stream().anyMatch(x -> x.port() == a.port() && x.service().equals("emotion")));
        try (ServerSocket s = new ServerSocket(a.port(), 50, InetAddress.getLoopbackAddress())) {
            first.markListening(a, "127.0.0.1");
            assertTrue(first.flushRegistry(Duration.ofSeconds(60)));
            List<Endpoint> found = second.lookup("emotion");
            assertEquals(1, found.size());
            assertEquals(a.port(), found.get(0).port());
            assertEquals(ProcessHandle.current().pid(), found.get(0).pid());
        }
        assertTrue(second.release(a.port()).isPresent());
        assertTrue(first.lookup("emotion").isEmpty());
        assertFalse(second.release(a.port()).isPresent(), "nothing holds it any more");
    }

    @Test
    void allocationsRecordTheFieldsTheDesignNames() {
        Allocation a = open(config()).allocate(AllocationRequest.forService("hrm").type("ml").preferredPort(0));
        assertEquals("test-host", a.host());
        assertEquals("hrm", a.service());
        assertEquals("ml", a.type());
        assertEquals("hrm", a.instance());
        assertTrue(a.createdAt() > 0 && a.leaseUntil() > a.createdAt());
        assertEquals(ProcessHandle.current().pid(), a.pid());
        assertTrue(a.processStart() > 0);
    }

    @Test
    @Timeout(value = 20, unit = TimeUnit.MINUTES)
    void fourProcessesRacingOnOneStateDirectoryNeverShareAPort() throws Exception {
        int base = TestConfigs.freeBlock(1200);
        Path configFile = dir.resolve("race.yaml");
        Files.writeString(configFile, String.join("\n",
                "stateDir: " + dir.resolve("race-state"),
                "store: " + store(),
                "host: test-host",
                "lease: 30s",
                "ranges:",
                "  ml: { start: " + base + ", end: " + (base + 599) + ", priority: 2 }",
                "  dynamic: { start: " + (base + 600) + ", end: " + (base + 1199) + ", priority: 4 }",
                "") + "\n");
        int processes = 4;
        int each = 250;
        List<Process> racers = new ArrayList<>();
        for (int i = 0; i < processes; i++) {
            racers.add(allocateMany(configFile, "racer" + i, each, dir.resolve("racer" + i + ".err")));
        }
        Set<Integer> ports = new HashSet<>();
        int total = 0;
        for (int i = 0; i < processes; i++) {
            ProcessLines out = ProcessLines.of(racers.get(i));
            String line;
            // A racer prints its ports only once all are granted and published: the bound is on a hang, and wide,
            // since four JVMs allocating 250 ports each take minutes on a machine loaded many times over.
            while ((line = out.next(Duration.ofMinutes(8))) != null && !line.equals("done")
                    && !line.equals("registry-pending")) {
                ports.add(Integer.parseInt(line.trim()));
                total++;
            }
            assertEquals("done", line, "racer " + i + ": " + Files.readString(dir.resolve("racer" + i + ".err")));
        }
        assertEquals(processes * each, total, "every allocation succeeded");
        assertEquals(processes * each, ports.size(), "no port granted twice");
        afterRace(configFile, ports);
        for (Process p : racers) {
            p.getOutputStream().close();
            assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        }
    }
}
