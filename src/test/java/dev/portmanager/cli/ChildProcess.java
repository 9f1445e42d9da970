package dev.portmanager.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A long-running child ({@code portmanager serve}, {@code portmanager run ...}) whose output is collected as it
 * comes, so that a test can wait for a line; {@link #close()} kills it and every descendant it started.
 */
public final class ChildProcess implements AutoCloseable {
    private final Process process;
    private final List<String> lines = Collections.synchronizedList(new ArrayList<>());
    private final Thread pump;

    public ChildProcess(ProcessBuilder builder) {
        try {
            this.process = builder.redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        pump = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    lines.add(line);
                }
            } catch (IOException ignored) {
                // the child is gone
            }
        }, "child-output");
        pump.setDaemon(true);
        pump.start();
    }

    public Process process() {
        return process;
    }

    public String output() {
        synchronized (lines) {
            return String.join("\n", lines);
        }
    }

    /** Waits for a line matching {@code p}; fails with the output so far when the child dies or time runs out. */
    public String awaitLine(Predicate<String> p, long timeoutMillis) throws InterruptedException {
        long end = System.currentTimeMillis() + timeoutMillis;
        while (System.currentTimeMillis() < end) {
            synchronized (lines) {
                for (String l : lines) {
                    if (p.test(l)) {
                        return l;
                    }
                }
            }
            if (!process.isAlive()) {
                awaitPump();
                synchronized (lines) {
                    for (String l : lines) {
                        if (p.test(l)) {
                            return l;
                        }
                    }
                }
                throw new AssertionError("child exited (" + process.exitValue() + ") before the expected line:\n"
                        + output());
            }
            Thread.sleep(50);
        }
        throw new AssertionError("expected line did not appear within " + timeoutMillis + " ms:\n" + output());
    }

    /**
     * Waits for the pump to read the exited child's last lines: it ends at end of stream, which comes when the
     * child's side of the pipe closes. The deadline covers a descendant that inherited the pipe and outlives the
     * child; then what was read so far is all there is.
     */
    private void awaitPump() throws InterruptedException {
        pump.join(5_000);
    }

    /** Waits for the exit status. */
    public int awaitExit(long timeoutMillis) throws InterruptedException {
        if (!process.waitFor(timeoutMillis, TimeUnit.MILLISECONDS)) {
            throw new AssertionError("child still running after " + timeoutMillis + " ms:\n" + output());
        }
        return process.exitValue();
    }

    /**
     * Sends {@code SIG<name>} (e.g. "INT", "KILL") with kill(1): unlike {@link Process#destroyForcibly()}, this side
     * of the child's pipes stays open, so what the child says as it goes is still read.
     */
    public void signal(String name) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).start();
        if (!kill.waitFor(10, TimeUnit.SECONDS)) {
            kill.destroyForcibly();
            throw new AssertionError("kill -" + name + " did not return within 10 s");
        }
        if (kill.exitValue() != 0) {
            throw new AssertionError("kill -" + name + " " + process.pid() + " failed: " + kill.exitValue());
        }
    }

    /** SIGTERM to the launcher's JVM (the script exec's java, so this is the JVM itself). */
    public void terminate() {
        process.destroy();
    }

    @Override
    public void close() {
        List<ProcessHandle> all = new ArrayList<>(process.descendants().toList());
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (ProcessHandle h : all) {
            h.destroyForcibly();
        }
        for (ProcessHandle h : all) {
            try {
                h.onExit().get(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                // SIGKILL was sent; a process stuck in the kernel is beyond what a test can do
            }
        }
    }
}
