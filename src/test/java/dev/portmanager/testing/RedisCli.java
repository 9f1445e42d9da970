package dev.portmanager.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * Runs {@code redis-cli} against a test server for fixture work that needs whole replies (CLUSTER NODES, SENTINEL
 * MASTER) or the cluster manager ({@code --cluster create}). Every run has a deadline and is killed past it.
 */
public final class RedisCli {
    private static final long RUN_TIMEOUT_MILLIS = 20_000;

    private RedisCli() {
    }

    /** {@code redis-cli -h 127.0.0.1 -p PORT ARGS}: its standard output; fails on a non-zero exit. */
    public static String run(int port, String... args) {
        List<String> command = new ArrayList<>(List.of("redis-cli", "-h", "127.0.0.1", "-p", Integer.toString(port)));
        command.addAll(List.of(args));
        return exec(command);
    }

    /** {@code redis-cli ARGS} as given. */
    public static String exec(List<String> command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            p.getOutputStream().close();
            if (!p.waitFor(RUN_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(command + " did not finish within " + RUN_TIMEOUT_MILLIS + " ms");
            }
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.exitValue() != 0) {
                throw new IllegalStateException(command + " exited with " + p.exitValue() + ":\n" + out);
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + command, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted running " + command, e);
        }
    }

    /** Polls {@code run(port, args)} until its output satisfies {@code done}, for at most {@code millis}. */
    public static String await(int port, long millis, Predicate<String> done, String what, String... args) {
        long deadline = System.currentTimeMillis() + millis;
        String last = "";
        while (System.currentTimeMillis() < deadline) {
            try {
                last = run(port, args);
                if (done.test(last)) {
                    return last;
                }
            } catch (IllegalStateException | UncheckedIOException e) {
                last = e.getMessage();
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted waiting for " + what, e);
            }
        }
        throw new IllegalStateException(what + " did not happen within " + millis + " ms; last reply:\n" + last);
    }
}
