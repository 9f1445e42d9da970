package dev.portmanager.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * Ends {@code run}'s command when {@code run} itself is killed (SIGKILL, the OOM killer), so that the command
 * does not live on unmanaged: nobody would renew its registration, and its claim would stay held by a process no
 * one supervises. Once the command is gone, its claim is free by the usual rule (its owner process is dead) and
 * its registry entry ends with its lease.
 *
 * <p>The watchdog is a small shell process reading a pipe whose only writer is this JVM. A normal end writes
 * "done" first; if the JVM dies, the kernel closes the pipe and the watchdog reads end-of-file without it, then
 * sends the command SIGTERM, and SIGKILL if it is still there after a grace period. It checks the command's
 * start time before each signal, so a recycled pid is never hit.
 */
final class RunWatchdog implements AutoCloseable {
    private static final String SCRIPT = String.join("\n",
            "trap '' INT QUIT HUP PIPE",
            "pid=$1; run=$2",
            "started() { sed 's/^.*) //' /proc/$pid/stat 2>/dev/null | cut -d' ' -f20; }",
            "start=$(started)",
            "read -r word",
            "[ \"$word\" = done ] && exit 0",
            "[ -n \"$start\" ] && [ \"$(started)\" = \"$start\" ] || exit 0",
            "echo \"portmanager run: run (pid $run) was killed; stopping its command (pid $pid)\" >&2",
            "kill -TERM $pid",
            "i=0",
            "while [ \"$(started)\" = \"$start\" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done",
            "[ \"$(started)\" = \"$start\" ] && kill -KILL $pid",
            "exit 0", "");
    private static final long EXIT_WAIT_SECONDS = 2;

    private final Process watchdog;

    private RunWatchdog(Process watchdog) {
        this.watchdog = watchdog;
    }

    /** Starts watching over {@code child}; null (and nothing watches) when no shell can be started. */
    static RunWatchdog start(Process child) {
        try {
            Process p = new ProcessBuilder("/bin/sh", "-c", SCRIPT, "portmanager-run-watchdog",
                    Long.toString(child.pid()), Long.toString(ProcessHandle.current().pid()))
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.INHERIT)
                    .start();
            return new RunWatchdog(p);
        } catch (IOException e) {
            return null;
        }
    }

    /** run ends normally: the watchdog leaves the command alone and exits. */
    @Override
    public void close() {
        try (OutputStream in = watchdog.getOutputStream()) {
            in.write("done\n".getBytes(StandardCharsets.US_ASCII));
        } catch (IOException e) {
            // the watchdog is already gone
        }
        try {
            if (!watchdog.waitFor(EXIT_WAIT_SECONDS, TimeUnit.SECONDS)) {
                watchdog.destroy();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            watchdog.destroy();
        }
    }
}
