package dev.portmanager.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A child process's output, line by line, with a deadline on every wait: a daemon thread reads the stream (a
 * blocking {@code readLine} cannot be given a timeout), so a child that goes quiet fails the test instead of
 * hanging it.
 */
public final class ProcessLines {
    private static final Optional<String> END = Optional.empty();

    private final LinkedBlockingQueue<Optional<String>> lines = new LinkedBlockingQueue<>();
    private final String name;

    public ProcessLines(InputStream stream, String name) {
        this.name = name;
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    lines.add(Optional.of(line));
                }
            } catch (IOException e) {
                // the stream broke: the same as its end for whoever waits on it
            } finally {
                lines.add(END);
            }
        }, "lines-of-" + name);
        reader.setDaemon(true);
        reader.start();
    }

    /** The stdout of {@code process}. */
    public static ProcessLines of(Process process) {
        return new ProcessLines(process.getInputStream(), "pid-" + process.pid());
    }

    /** The next line; null at the end of the stream; fails when none comes within {@code timeout}. */
    public String next(Duration timeout) throws InterruptedException {
        Optional<String> line = lines.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (line == null) {
            throw new AssertionError("no line from " + name + " within " + timeout.toSeconds() + " s");
        }
        if (line.isEmpty()) {
            lines.add(END); // every later call sees the end too
            return null;
        }
        return line.get();
    }
}
