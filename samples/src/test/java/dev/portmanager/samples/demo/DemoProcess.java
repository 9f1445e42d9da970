package dev.portmanager.samples.demo;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** The demo run the way demo.sh runs it (after its build step): a child JVM on the samples jar. */
final class DemoProcess {
    private final Process process;
    private final StringBuffer output = new StringBuffer();
    private final Thread reader;

    private DemoProcess(Process process) {
        this.process = process;
        reader = new Thread(() -> {
            try (InputStream in = process.getInputStream()) {
                byte[] buf = new byte[4096];
                for (int n; (n = in.read(buf)) > 0; ) {
                    output.append(new String(buf, 0, n, StandardCharsets.UTF_8));
                }
            } catch (IOException e) {
                output.append("\n[reader: ").append(e).append("]");
            }
        }, "demo-output");
        reader.setDaemon(true);
        reader.start();
    }

    /** Starts the demo with its own state directory, temp directory and config home under {@code tmp}. */
    static DemoProcess start(Path home, Path tmp, String... args) throws IOException {
        Path tmpdir = Files.createDirectories(tmp.resolve("tmp"));
        List<String> cmd = new ArrayList<>(List.of(Settings.java(), "-Djava.io.tmpdir=" + tmpdir,
                "-Dportmanager.home=" + home, "-cp", home.resolve("samples/target/portmanager-samples.jar").toString(),
                Demo.class.getName(), "--state-dir", tmp.resolve("state").toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        // An empty config home of its own, inherited by the fleet the demo starts: the developer's
        // ~/.config/portmanager/config.yaml must not decide the test's ranges or store.
        pb.environment().put("XDG_CONFIG_HOME", Files.createDirectories(tmp.resolve("config")).toString());
        return new DemoProcess(pb.start());
    }

    Process process() {
        return process;
    }

    String output() {
        return output.toString();
    }

    /** The exit status, or Integer.MIN_VALUE when it did not exit in time (then it is killed with its tree). */
    int awaitExit(Duration timeout) throws InterruptedException {
        if (process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            // The reader ends at end of stream, once the demo's side of the pipe is closed: then every line is in.
            // The deadline covers a child of the demo that inherited the pipe and outlives it.
            reader.join(5_000);
            return process.exitValue();
        }
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        return Integer.MIN_VALUE;
    }

    /**
     * What Ctrl-C does to the demo's JVM: SIGINT. A process started in the background inherits SIGINT as ignored
     * (and the JVM then leaves it ignored), so where that is the case fall back to SIGTERM, which runs the same
     * shutdown hook.
     */
    void interrupt() throws IOException, InterruptedException {
        String signal = sigintIgnored(process.pid()) ? "-TERM" : "-INT";
        Process kill = new ProcessBuilder("kill", signal, Long.toString(process.pid())).inheritIO().start();
        if (!kill.waitFor(10, TimeUnit.SECONDS)) {
            kill.destroyForcibly();
            throw new IllegalStateException("kill " + signal + " " + process.pid() + " did not return");
        }
    }

    private static boolean sigintIgnored(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith("SigIgn:")) {
                return (Long.parseLong(line.substring(7).trim(), 16) & (1L << 1)) != 0; // bit 1 = signal 2
            }
        }
        return false;
    }

    /** The run directory the demo created under the temp directory we gave it. */
    static Path runDir(Path tmp) throws IOException {
        try (var dirs = Files.list(tmp.resolve("tmp"))) {
            List<Path> runs = dirs.filter(d -> d.getFileName().toString().startsWith("portmanager-demo-")).toList();
            if (runs.size() != 1) {
                throw new IllegalStateException("expected one run directory, found " + runs);
            }
            return runs.get(0);
        }
    }

    /** The live processes a --keep run recorded. */
    static List<ProcessHandle> pidFile(Path runDir) throws IOException {
        List<ProcessHandle> handles = new ArrayList<>();
        for (String line : Files.readAllLines(runDir.resolve("fleet.pids"))) {
            Optional<ProcessHandle> h = ProcessHandle.of(Long.parseLong(line.split(" ")[0]));
            h.ifPresent(handles::add);
        }
        return handles;
    }
}
