package dev.portmanager.agent.it;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A subject app in its own JVM, with the real agent jar. Collects stdout and stderr line by line; {@link #close}
 * kills it (and anything it started). Every test holds its children in try-with-resources.
 */
final class ChildJvm implements AutoCloseable {
    private static final Pattern LISTENING = Pattern.compile("LISTENING (\\d+)");
    /**
     * How long a line may take: a bound on a hang, not on speed. A JVM that starts in half a second on an idle
     * machine took over 30 s at a load of 30 on two cores.
     */
    private static final Duration AWAIT = Duration.ofSeconds(120);

    private final Process process;
    private final List<String> out = new ArrayList<>();
    private final List<String> err = new ArrayList<>();
    private final String description;
    private final Thread outPump;
    private final Thread errPump;
    private final Path configHome;

    private ChildJvm(Process process, String description, Path configHome) {
        this.process = process;
        this.description = description;
        this.configHome = configHome;
        this.outPump = pump(process.getInputStream(), out);
        this.errPump = pump(process.getErrorStream(), err);
    }

    /** Starts {@code mainClass} on {@code jdk} with the agent ({@code agentArgs} null: no agent). */
    static ChildJvm start(Jdk jdk, String agentArgs, List<String> jvmOptions, String classpath, String mainClass,
                          String... args) throws IOException {
        return startWrapped(List.of(), jdk, agentArgs, jvmOptions, classpath, mainClass, args);
    }

    /** The same, run by a wrapper command (e.g. {@code unshare --pid --fork --mount-proc}) that execs java. */
    static ChildJvm startWrapped(List<String> wrapper, Jdk jdk, String agentArgs, List<String> jvmOptions,
                                 String classpath, String mainClass, String... args) throws IOException {
        List<String> command = new ArrayList<>(wrapper);
        command.add(jdk.java().toString());
        if (agentArgs != null) {
            command.add("-javaagent:" + AgentJar.path() + (agentArgs.isEmpty() ? "" : "=" + agentArgs));
        }
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(classpath);
        command.add(mainClass);
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().keySet().removeIf(k -> k.startsWith("PORTMANAGER_") || k.equals("JAVA_TOOL_OPTIONS"));
        // Keep the children away from the user's config file: a config home of their own (the isolated ranges).
        Path configHome = configHome();
        builder.environment().put("XDG_CONFIG_HOME", configHome.toString());
        try {
            return new ChildJvm(builder.start(), jdk + " " + mainClass + " " + String.join(" ", args), configHome);
        } catch (IOException | RuntimeException e) {
            deleteQuietly(configHome);
            throw e;
        }
    }

    /**
     * Starts {@code java [-javaagent...] javaArgs} on {@code jdk} in {@code workDir} (null: this one), the command
     * preceded by {@code prefix} (e.g. setpriv to run it as another user; empty for none).
     */
    static ChildJvm launch(Jdk jdk, List<String> prefix, String agentArgs, List<String> javaArgs, Path workDir)
            throws IOException {
        List<String> command = new ArrayList<>(prefix);
        command.add(jdk.java().toString());
        if (agentArgs != null) {
            command.add("-javaagent:" + AgentJar.path().toAbsolutePath() + (agentArgs.isEmpty() ? "" : "=" + agentArgs));
        }
        command.addAll(javaArgs);
        ProcessBuilder builder = new ProcessBuilder(command);
        if (workDir != null) {
            builder.directory(workDir.toFile());
        }
        builder.environment().keySet().removeIf(k -> k.startsWith("PORTMANAGER_") || k.equals("JAVA_TOOL_OPTIONS"));
        Path configHome = configHome();
        builder.environment().put("XDG_CONFIG_HOME", configHome.toString());
        try {
            return new ChildJvm(builder.start(),
                    jdk + " " + String.join(" ", command.subList(prefix.size() + 1, command.size())), configHome);
        } catch (IOException | RuntimeException e) {
            deleteQuietly(configHome);
            throw e;
        }
    }

    /**
     * Runs {@code command} as given (a JDK tool, mvn, or java itself) in {@code workDir}, with {@code env} added to
     * an environment cleared of PortManager settings and JAVA_TOOL_OPTIONS: the way a host-wide
     * {@code JAVA_TOOL_OPTIONS} reaches every JVM.
     */
    static ChildJvm command(List<String> command, java.util.Map<String, String> env, Path workDir) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command).directory(workDir.toFile());
        builder.environment().keySet().removeIf(k -> k.startsWith("PORTMANAGER_") || k.equals("JAVA_TOOL_OPTIONS"));
        builder.environment().putAll(env);
        Path configHome = configHome();
        builder.environment().put("XDG_CONFIG_HOME", configHome.toString());
        try {
            return new ChildJvm(builder.start(), env + " " + String.join(" ", command), configHome);
        } catch (IOException | RuntimeException e) {
            deleteQuietly(configHome);
            throw e;
        }
    }

    /**
     * A config home of the child's own (a shared fixed directory would let one test's leftovers reach another's
     * children), whose {@code portmanager/config.yaml} holds only the ranges of this test JVM ({@link Ports#ranges}):
     * the agent allocates there, not in the default ranges every build on the host shares. It is the config file of
     * lowest precedence, so a test's own {@code config=} or {@code PORTMANAGER_CONFIG} still wins. Readable by all,
     * since a child may run as another user.
     */
    private static Path configHome() throws IOException {
        var readable = java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x");
        Path dir = Files.createTempDirectory("pm-config-");
        Files.setPosixFilePermissions(dir, readable);
        Path portmanager = Files.createDirectory(dir.resolve("portmanager"));
        Files.setPosixFilePermissions(portmanager, readable);
        Path config = Files.writeString(portmanager.resolve("config.yaml"), Ports.ranges().yaml());
        Files.setPosixFilePermissions(config, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        return dir;
    }

    private static Thread pump(java.io.InputStream stream, List<String> into) {
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    synchronized (into) {
                        into.add(line);
                        into.notifyAll();
                    }
                }
            } catch (IOException ignored) {
                // process gone
            }
        });
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** The port in {@code LISTENING <port>}, waiting for it. */
    int awaitListening() throws InterruptedException {
        Matcher m = LISTENING.matcher(awaitStdout("LISTENING "));
        if (!m.find()) {
            throw new AssertionError("no port in LISTENING line: " + this);
        }
        return Integer.parseInt(m.group(1));
    }

    /** The first stdout line starting with {@code prefix}, waiting up to {@link #AWAIT}. */
    String awaitStdout(String prefix) throws InterruptedException {
        return awaitLine(out, prefix);
    }

    /**
     * The first stderr line starting with {@code prefix}, waiting up to {@link #AWAIT} (stderr is read by its own
     * thread: a line written before a stdout line may still arrive after it).
     */
    String awaitStderr(String prefix) throws InterruptedException {
        return awaitLine(err, prefix);
    }

    private String awaitLine(List<String> lines, String prefix) throws InterruptedException {
        long start = System.nanoTime();
        long deadline = start + AWAIT.toNanos();
        synchronized (lines) {
            while (true) {
                for (String line : lines) {
                    if (line.startsWith(prefix)) {
                        return line;
                    }
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("no '" + prefix + "' line from " + this);
                }
                lines.wait(Math.max(1, Math.min(TimeUnit.NANOSECONDS.toMillis(left), 200)));
                if (!process.isAlive() && System.nanoTime() - start > Duration.ofSeconds(1).toNanos()) {
                    // the process is gone: give the pump a moment to drain its last lines, then give up
                    lines.wait(300);
                    deadline = Math.min(deadline, System.nanoTime());
                }
            }
        }
    }

    int awaitExit() throws InterruptedException {
        if (!process.waitFor(AWAIT.toSeconds(), TimeUnit.SECONDS)) {
            throw new AssertionError("did not exit: " + this);
        }
        // Both streams end with the process, and then every line is in: tests count stderr lines after this. A pump
        // still reading (a descendant holding the stream, or a starved thread) would leave them short, so that is a
        // failure here, not a silently partial list.
        for (Thread pump : List.of(outPump, errPump)) {
            pump.join(30_000);
            if (pump.isAlive()) {
                throw new AssertionError("exited, but its output is still being read after 30 s: " + this);
            }
        }
        return process.exitValue();
    }

    /** Asks the JVM to exit (SIGTERM: shutdown hooks run) and waits for it; returns the exit code. */
    int stop() throws InterruptedException {
        process.destroy();
        return awaitExit();
    }

    /** kill -9: the JVM dies at once, no shutdown hook runs, nothing is released. Waits for it to be gone. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new AssertionError("still alive after SIGKILL: " + this);
        }
    }

    /** Writes one line to the app's stdin. */
    void sendLine(String line) throws IOException {
        process.getOutputStream().write((line + "\n").getBytes(StandardCharsets.UTF_8));
        process.getOutputStream().flush();
    }

    long pid() {
        return process.pid();
    }

    List<String> stdout() {
        synchronized (out) {
            return List.copyOf(out);
        }
    }

    List<String> stderr() {
        synchronized (err) {
            return List.copyOf(err);
        }
    }

    @Override
    public void close() {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        deleteQuietly(configHome);
    }

    private static void deleteQuietly(Path dir) {
        try (var paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a leftover empty directory in the temp dir is harmless
        }
    }

    @Override
    public String toString() {
        return description + "\n  stdout: " + stdout() + "\n  stderr: " + stderr();
    }
}
