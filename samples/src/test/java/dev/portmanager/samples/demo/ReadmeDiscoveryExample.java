package dev.portmanager.samples.demo;

import dev.portmanager.Endpoint;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Keeps the README's DiscoveryClient example true: FleetIT cuts it out of README.md and runs it as the README says
 * ({@code java -cp src/target/portmanager.jar FindEmotion.java}) against its running fleet.
 */
final class ReadmeDiscoveryExample {
    private static final Pattern BLOCK =
            Pattern.compile("```java\\n((?:import [^\\n]*\\n)*\\s*public class FindEmotion.*?)```", Pattern.DOTALL);

    private ReadmeDiscoveryExample() {
    }

    static void run(Path home, Settings settings, Path tmp, Endpoint emotion) throws Exception {
        String readme = Files.readString(home.resolve("README.md"));
        Matcher m = BLOCK.matcher(readme);
        assertTrue(m.find(), "README.md has a ```java block with public class FindEmotion");
        Path source = Files.createDirectories(tmp.resolve("readme-example")).resolve("FindEmotion.java");
        Files.writeString(source, m.group(1));
        ProcessBuilder pb = new ProcessBuilder(Settings.java(), "-cp", settings.sidecarJar().toString(), source.toString())
                .redirectErrorStream(true);
        settings.applyTo(pb.environment());
        pb.environment().remove("PORTMANAGER_CONFIG");
        pb.environment().remove("PORTMANAGER_URL");
        // As a user with no config file runs it: the developer's ~/.config/portmanager/config.yaml is not read.
        Path configHome = Files.createDirectories(tmp.resolve("readme-example/config"));
        pb.environment().put("XDG_CONFIG_HOME", configHome.toString());
        Process p = pb.start();
        try {
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the README example did not finish within 60 s");
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, p.exitValue(), out);
            assertTrue(out.contains("emotion at " + emotion.authority() + " on " + emotion.host() + "\n"), out);
            assertTrue(out.contains("calling http://" + emotion.authority() + "\n"), out);
        } finally {
            p.destroyForcibly();
        }
    }
}
