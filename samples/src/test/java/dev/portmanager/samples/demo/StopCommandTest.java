package dev.portmanager.samples.demo;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** `demo.sh --stop RUN_DIR` on real processes: one line per service, every process gone, the directory too. */
class StopCommandTest {
    @Test
    void stopsEachServiceOnceAndRemovesTheRunDirectory(@TempDir Path tmp) throws Exception {
        Path runDir = Files.createDirectory(tmp.resolve("portmanager-demo-test"));
        Files.writeString(runDir.resolve("emotion.log"), "a log\n");
        List<ProcessHandle> started = new ArrayList<>();
        try {
            // A `portmanager run` service is a launcher and its child, both under one name.
            Process launcher = new ProcessBuilder("bash", "-c", "sleep 60 & wait").start();
            Process emotion = new ProcessBuilder("sleep", "60").start();
            started.add(launcher.toHandle());
            started.add(emotion.toHandle());
            ProcessHandle child = awaitChild(launcher);
            started.add(child);
            Files.write(runDir.resolve("fleet.pids"), List.of(line(launcher.toHandle(), "python-vision"),
                    line(child, "python-vision"), line(emotion.toHandle(), "emotion")));

            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            int status = StopCommand.run(runDir, new PrintStream(out, true, StandardCharsets.UTF_8),
                    new PrintStream(err, true, StandardCharsets.UTF_8));
            String printed = out.toString(StandardCharsets.UTF_8);
            assertEquals(0, status, printed + err);
            assertEquals(1, printed.lines().filter(l -> l.startsWith("  stopping python-vision ")).count(), printed);
            assertTrue(printed.contains("  stopping python-vision (pids " + launcher.pid() + ", " + child.pid() + ")"),
                    printed);
            assertEquals(1, printed.lines().filter(l -> l.startsWith("  stopping emotion ")).count(), printed);
            assertTrue(printed.contains("stopped 3 processes; none left"), printed);
            assertTrue(started.stream().noneMatch(ProcessHandle::isAlive), "every process is gone");
            assertFalse(Files.exists(runDir), "the run directory is removed: " + printed);
        } finally {
            started.forEach(ProcessHandle::destroyForcibly);
        }
    }

    private static ProcessHandle awaitChild(Process parent) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            var child = parent.children().findFirst();
            if (child.isPresent()) {
                return child.get();
            }
            Thread.sleep(20);
        }
        throw new AssertionError("bash started no child");
    }

    private static String line(ProcessHandle h, String label) {
        return h.pid() + " " + h.info().startInstant().map(Instant::toEpochMilli).orElse(0L) + " " + label;
    }
}
