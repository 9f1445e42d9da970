package dev.portmanager.registry;

import dev.portmanager.Allocation;
import dev.portmanager.testing.ProcessLines;
import dev.portmanager.testing.RedisServerExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static dev.portmanager.registry.RegistrySyncTest.awaitTrue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Real owner processes (child JVMs publishing through RegistrySync) against a real redis-server. */
@Timeout(value = 300, unit = TimeUnit.SECONDS) // a child that never answers must not hang the build
class RegistryProcessesTest {
    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    /** A child JVM's next line: it starts, connects and publishes first, on a machine that may be busy. */
    private static final Duration LINE_TIMEOUT = Duration.ofSeconds(60);

    private final List<Process> children = new ArrayList<>();
    private RedisRegistry reader;
    private RawRedis raw;

    @BeforeEach
    void connect() {
        reader = new RedisRegistry(REDIS.uri(), "portmanager", 30_000);
        raw = new RawRedis(REDIS.uri());
    }

    @AfterEach
    void cleanUp() {
        // only the children this test started
        for (Process p : children) {
            p.destroyForcibly();
        }
        for (Process p : children) {
            try {
                p.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        reader.close();
        raw.close();
    }

    @Test
    void killMinus9OfAnOwnerRemovesItsEntriesWithinTheLeaseWithoutAnyReaper() throws Exception {
        // Long enough that the child's renewals (every third) cannot fall behind it on a busy machine.
        long lease = 3_000;
        Process child = child("hold", lease, "host-k", 9100, 3);
        ProcessLines out = ProcessLines.of(child);
        assertEquals("READY", out.next(LINE_TIMEOUT));
        List<Allocation> published = reader.lookup("child-svc");
        assertEquals(3, published.size());
        assertTrue(published.stream().allMatch(a -> a.pid() == child.pid()), "owned by the child's pid");

        child.destroyForcibly(); // SIGKILL: no shutdown hook, no withdraw
        assertTrue(child.waitFor(10, TimeUnit.SECONDS));
        // nobody reaps here: the entries must vanish by their own PEXPIRE
        awaitTrue(() -> raw.cmd().exists("{portmanager}:alloc:host-k:9100", "{portmanager}:alloc:host-k:9101",
                "{portmanager}:alloc:host-k:9102") == 0, "the dead owner's entries expire");
        assertTrue(reader.lookup("child-svc").isEmpty());
        assertTrue(reader.allocations().isEmpty());
    }

    @Test
    void fourProcessesPublishingAtOnceLoseNothing() throws Exception {
        int processes = 4;
        int each = 50;
        List<ProcessLines> outs = new ArrayList<>();
        for (int i = 0; i < processes; i++) {
            Process p = child("race", 30_000, "host-r", 9200 + i * each, each);
            ProcessLines out = ProcessLines.of(p);
            assertEquals("READY", out.next(LINE_TIMEOUT));
            outs.add(out);
        }
        for (Process p : children) {
            OutputStream in = p.getOutputStream();
            in.write("GO\n".getBytes(StandardCharsets.UTF_8));
            in.flush();
        }
        for (ProcessLines out : outs) {
            assertEquals("DONE", out.next(LINE_TIMEOUT));
        }
        List<Allocation> all = reader.allocations();
        Set<Integer> ports = new HashSet<>();
        Map<Long, Integer> perOwner = new HashMap<>();
        for (Allocation a : all) {
            ports.add(a.port());
            perOwner.merge(a.pid(), 1, Integer::sum);
        }
        assertEquals(processes * each, all.size());
        assertEquals(processes * each, ports.size());
        Map<Long, Integer> expected = new HashMap<>();
        for (Process p : children) {
            expected.put(p.pid(), each);
        }
        assertEquals(expected, perOwner);
        assertEquals(processes * each, reader.lookup("child-svc").size());
    }

    @Test
    void anOwnerThatNeverClosesStillExitsBecauseEveryThreadIsADaemon() throws Exception {
        Process child = child("return", 30_000, "host-d", 9300, 1);
        assertEquals("READY", ProcessLines.of(child).next(LINE_TIMEOUT));
        assertTrue(child.waitFor(30, TimeUnit.SECONDS), "main returned but the JVM kept running");
        assertEquals(0, child.exitValue());
    }

    private Process child(String mode, long leaseMillis, String host, int firstPort, int count) throws IOException {
        String java = ProcessHandle.current().info().command().orElse("java");
        Path log = Files.createTempFile("registry-child-", ".log");
        log.toFile().deleteOnExit();
        ProcessBuilder builder = new ProcessBuilder(java, "-Xshare:auto", "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"), RegistryChild.class.getName(), mode, REDIS.uri(),
                Long.toString(leaseMillis), host, Integer.toString(firstPort), Integer.toString(count))
                .redirectError(log.toFile());
        Process p = builder.start();
        children.add(p);
        return p;
    }

}
