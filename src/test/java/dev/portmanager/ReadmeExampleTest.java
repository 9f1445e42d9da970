package dev.portmanager;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), source.toString()).redirectErrorStream(true);
        pb.environment().put("PORTMANAGER_STATE_DIR", dir.resolve("state").toString());
        pb.environment().remove("PORTMANAGER_CONFIG");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("my-service listens on "), out);
        assertTrue(out.contains("found by name: "), out);
    }
}
