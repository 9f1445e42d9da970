package dev.portmanager;

import dev.portmanager.testing.IsolatedRanges;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Keeps the README's Java API example true: it is cut out of README.md, compiled and run as a user would. */
class ReadmeExampleTest {
    @TempDir
    Path dir;

    @Test
    void readmeJavaExampleCompilesAndRuns() throws Exception {
        String readme = Files.readString(Path.of(System.getProperty("user.dir")).getParent().resolve("README.md"));
        Matcher m = Pattern.compile("```java\\n((?:import [^\\n]*\\n)*\\s*public class Example.*?)```", Pattern.DOTALL).matcher(readme);
        assertTrue(m.find(), "README.md has a ```java block with public class Example");
        Path source = dir.resolve("Example.java");
        Files.writeString(source, m.group(1));
        Path output = dir.resolve("example.out");
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), source.toString())
                .redirectErrorStream(true).redirectOutput(output.toFile());
        // As a user with no PortManager settings would run it, in a state directory of its own, except that its
        // ranges are this JVM's own (another build's example must not be granted the same port to bind).
        IsolatedRanges ranges = IsolatedRanges.take();
        Path configDir = Files.createDirectories(dir.resolve("config/portmanager"));
        Files.writeString(configDir.resolve("config.yaml"), ranges.yaml());
        pb.environment().keySet().removeIf(k -> k.startsWith("PORTMANAGER_"));
        pb.environment().put("PORTMANAGER_STATE_DIR", dir.resolve("state").toString());
        pb.environment().put("XDG_CONFIG_HOME", dir.resolve("config").toString());
        Process p;
        // The example prefers 8088, which every build's copy of this test would be granted at once and race to
        // bind. So this test always holds 8088 while the example runs, and the example must move, naming this JVM
        // as the holder: one situation, one right answer. When another build's copy holds it, this one waits its
        // turn (theirs holds it for one run of the example) rather than guess what the example will see.
        try (ServerSocket held = hold(8088, 120_000)) {
            p = pb.start();
            try {
                assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the example did not finish within 60 s");
            } finally {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
            }
        }
        String out = Files.readString(output, StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), out);
        Matcher listens = Pattern.compile("(?m)^my-service listens on (\\d+) \\((.+)\\)$").matcher(out);
        assertTrue(listens.find(), out);
        int port = Integer.parseInt(listens.group(1));
        // Moved off 8088, whose holder is this test's JVM, to a free port of this JVM's ml range.
        String reason = listens.group(2);
        assertTrue(reason.startsWith("8088 held by pid " + ProcessHandle.current().pid() + ":")
                && reason.contains("; next free port of ml"), "moved, naming this test's pid: " + out);
        assertTrue(ranges.contains("ml", port), "a port of this JVM's ml range: " + out);
        // Exactly one endpoint: this port, owned by the example's own process.
        Matcher found = Pattern.compile("(?m)^found by name: \\[Endpoint\\[service=my-service, [^\\]]*\\bport="
                + port + ", pid=" + p.pid() + ",[^\\]]*\\]\\]$").matcher(out);
        assertTrue(found.find(), "one endpoint, port " + port + ", pid " + p.pid() + ": " + out);
    }

    /** A socket listening on {@code port}, once nothing else holds it (polled until {@code timeoutMillis}). */
    private static ServerSocket hold(int port, long timeoutMillis) throws InterruptedException {
        long end = System.currentTimeMillis() + timeoutMillis;
        while (true) {
            try {
                return new ServerSocket(port);
            } catch (IOException taken) {
                if (System.currentTimeMillis() >= end) {
                    throw new AssertionError(port + " stayed taken for " + timeoutMillis + " ms: " + taken);
                }
            }
            Thread.sleep(200);
        }
    }
}
