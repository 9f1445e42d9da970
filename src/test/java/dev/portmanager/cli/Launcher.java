package dev.portmanager.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portmanager.testing.IsolatedRanges;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs the real launcher script ({@code src/bin/portmanager}) in a child process, isolated from the developer's
 * environment and from other builds on the host: its own state directory, no PORTMANAGER_* variables except those
 * a test sets, and a config file of its own ({@code $XDG_CONFIG_HOME/portmanager/config.yaml}) that moves every
 * range into ports of this JVM's block ({@link IsolatedRanges}), since the commands tests run bind their port after
 * it is granted. A test that names its own config file starts it with {@link #rangesYaml()} when its commands bind.
 * The script runs the CLI from the test class path ({@code PORTMANAGER_CLASSPATH}) so that tests need no
 * packaged jar.
 */
public final class Launcher {
    private final Path stateDir;
    private final Path home;
    private final IsolatedRanges ranges = IsolatedRanges.take();
    private final Map<String, String> extraEnv = new java.util.HashMap<>();
    private final java.util.Set<String> unset = new java.util.HashSet<>();

    /** @param dir a temporary directory owned by the test: holds the state directory and a fake XDG home */
    public Launcher(Path dir) {
        this.stateDir = dir.resolve("state");
        this.home = dir.resolve("home");
        try {
            Path configDir = Files.createDirectories(home.resolve("config/portmanager"));
            Files.writeString(configDir.resolve("config.yaml"), ranges.yaml());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Path stateDir() {
        return stateDir;
    }

    /** The ranges the commands allocate from, unless a test names another config file. */
    public IsolatedRanges ranges() {
        return ranges;
    }

    /** The {@code ranges:} section of this launcher's config, for a config file a test writes itself. */
    public String rangesYaml() {
        return ranges.yaml();
    }

    public Launcher env(String name, String value) {
        extraEnv.put(name, value);
        return this;
    }

    /** Removes a variable from the child's environment (including one this class sets by default). */
    public Launcher unset(String name) {
        unset.add(name);
        extraEnv.remove(name);
        return this;
    }

    /** The script, found from the module directory the tests run in. */
    public static Path script() {
        Path base = Path.of(System.getProperty("basedir", System.getProperty("user.dir")));
        Path p = base.resolve("bin/portmanager");
        if (!Files.isExecutable(p)) {
            p = base.resolve("src/bin/portmanager");
        }
        return p.toAbsolutePath();
    }

    /** The test class path: everything the CLI needs, without packaging. */
    public static String classPath() {
        String cp = System.getProperty("surefire.test.class.path");
        return cp != null && !cp.isBlank() ? cp : System.getProperty("java.class.path");
    }

    /** A process builder for {@code portmanager ARGS}, with {@code --state-dir} added unless a store arg is given. */
    public ProcessBuilder builder(List<String> args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(script().toString());
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd);
        Map<String, String> env = pb.environment();
        env.keySet().removeIf(k -> k.startsWith("PORTMANAGER_"));
        env.put("PORTMANAGER_CLASSPATH", classPath());
        env.put("PORTMANAGER_JAVA_OPTS", "-XX:TieredStopAtLevel=1 -Xshare:auto");
        env.put("PORTMANAGER_STATE_DIR", stateDir.toString());
        env.put("XDG_CONFIG_HOME", home.resolve("config").toString());
        env.put("XDG_STATE_HOME", home.resolve("state").toString());
        env.putAll(extraEnv);
        env.keySet().removeAll(unset);
        return pb;
    }

    /** Runs {@code portmanager ARGS} to completion (180 s at most: a bound on a hang, not on speed). */
    public Result run(String... args) {
        return run(List.of(args));
    }

    public Result run(List<String> args) {
        try {
            Path out = Files.createTempFile("pm-out", ".txt");
            Path err = Files.createTempFile("pm-err", ".txt");
            try {
                Process p = builder(args).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
                if (!p.waitFor(180, TimeUnit.SECONDS)) {
                    p.descendants().forEach(ProcessHandle::destroyForcibly);
                    p.destroyForcibly();
                    throw new AssertionError("portmanager " + args + " did not finish within 180 s");
                }
                return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                        Files.readString(err, StandardCharsets.UTF_8));
            } finally {
                Files.deleteIfExists(out);
                Files.deleteIfExists(err);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Runs {@code portmanager lookup NAME} until it finds the service (120 s at most); the found lookup. */
    public Result awaitLookup(String name) throws InterruptedException {
        long end = System.currentTimeMillis() + 120_000;
        Result r = run("lookup", name);
        while (r.exit() != 0 && System.currentTimeMillis() < end) {
            Thread.sleep(200);
            r = run("lookup", name);
        }
        if (r.exit() != 0) {
            throw new AssertionError("lookup " + name + " found nothing within 120 s: " + r);
        }
        return r;
    }

    /** A finished command: exit status and what it printed. */
    public record Result(int exit, String out, String err) {
        private static final ObjectMapper JSON = new ObjectMapper();

        /** What a {@code --json} view printed; fails when the command did not succeed or printed no JSON. */
        public JsonNode json() {
            if (exit != 0) {
                throw new AssertionError("expected exit 0: " + this);
            }
            try {
                return JSON.readTree(out);
            } catch (Exception e) {
                throw new AssertionError("not JSON: " + this, e);
            }
        }

        public List<String> lines() {
            return out.lines().filter(l -> !l.isBlank()).toList();
        }

        @Override
        public String toString() {
            return "exit " + exit + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }
}
