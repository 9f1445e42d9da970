package dev.portmanager.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A python service that listens on its port until told to stop, then closes its listener but keeps running: a
 * live process whose service no longer answers. Run {@link #command()} with {@code {port}} substituted (as
 * {@code portmanager run} does); {@link #stopListening()} tells it to stop.
 */
public final class DeafListener {
    private static final String SCRIPT = String.join("\n",
            "import os, socket, sys, time",
            "s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)",
            "s.bind(('127.0.0.1', int(sys.argv[1]))); s.listen(8)",
            "while not os.path.exists(sys.argv[2]): time.sleep(0.05)",
            "s.close(); time.sleep(120)", "");

    private final Path script;
    private final Path stop;

    /** Writes the script into {@code dir}, a directory of the test's own. */
    public DeafListener(Path dir) {
        this.script = dir.resolve("deaf.py");
        this.stop = dir.resolve("stop-listening");
        try {
            Files.writeString(script, SCRIPT);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code python3 SCRIPT {port} STOP-FILE}. */
    public List<String> command() {
        return List.of("python3", script.toString(), "{port}", stop.toString());
    }

    /** Tells every copy started from this object to close its listener (and keep running). */
    public void stopListening() {
        try {
            Files.writeString(stop, "");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
