package dev.portmanager.agent.it;

import dev.portmanager.cli.ChildProcess;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The shaded {@code src/target/portmanager.jar} run the way the README tells users to run it: {@code java -jar
 * src/target/portmanager.jar ARGS} from the repository root, on JDK 17. Its environment holds no PORTMANAGER_*
 * variable but the ones given, and an empty config home of the test's own.
 */
final class SidecarJar {
    private static final String READY = "portmanager sidecar listening on ";
    private static final String JAR = "src/target/portmanager.jar";

    private final Path configHome;
    private final Map<String, String> env;

    /** @param configHome an empty directory of the test's own, for XDG_CONFIG_HOME */
    SidecarJar(Path configHome, Map<String, String> env) {
        this.configHome = configHome;
        this.env = Map.copyOf(env);
    }

    static Path home() {
        Path home = Path.of(System.getProperty("portmanager.home", "..")).toAbsolutePath().normalize();
        if (!Files.isRegularFile(home.resolve(JAR))) {
            throw new IllegalStateException(home.resolve(JAR) + " is missing (mvn package builds it)");
        }
        return home;
    }

    ProcessBuilder builder(List<String> args) {
        List<String> command = new ArrayList<>(List.of(Jdk.jdk17().java().toString(), "-jar", JAR));
        command.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(command).directory(home().toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("PORTMANAGER_") || k.equals("JAVA_TOOL_OPTIONS"));
        pb.environment().put("XDG_CONFIG_HOME", configHome.toString());
        pb.environment().putAll(env);
        return pb;
    }

    /** {@code serve --port 0 ARGS...}, waited for until it listens; its URL is {@link Serving#url()}. */
    Serving serve(String... args) throws InterruptedException {
        List<String> all = new ArrayList<>(List.of("serve", "--port", "0"));
        all.addAll(List.of(args));
        ChildProcess child = new ChildProcess(builder(all));
        try {
            String line = child.awaitLine(l -> l.startsWith(READY), 120_000);
            return new Serving(child, URI.create(line.substring(READY.length()).trim()));
        } catch (AssertionError | InterruptedException e) {
            child.close();
            throw e;
        }
    }

    /** One command to completion (180 s at most: a bound on a hang, not on speed): exit status, stdout, stderr. */
    Result run(String... args) throws IOException, InterruptedException {
        Path out = Files.createTempFile("pm-jar-out", ".txt");
        Path err = Files.createTempFile("pm-jar-err", ".txt");
        try {
            Process p = builder(List.of(args)).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            if (!p.waitFor(180, TimeUnit.SECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                throw new AssertionError("java -jar " + JAR + " " + List.of(args) + " did not finish within 180 s");
            }
            return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    record Result(int exit, String out, String err) {
        @Override
        public String toString() {
            return "exit " + exit + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    /** A running {@code serve}; closing it kills it. */
    record Serving(ChildProcess child, URI url) implements AutoCloseable {
        URI uri(String path) {
            return URI.create(url + path);
        }

        @Override
        public void close() {
            child.close();
        }
    }
}
