package dev.portmanager.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The command line of the real HTTP server tests start ({@code python3 -m http.server}): on loopback only, serving
 * an empty directory of the test's own, so that it never shows the module's working tree, nor to the LAN.
 */
public final class PythonHttpServer {
    private PythonHttpServer() {
    }

    /**
     * {@code python3 -m http.server PORT --bind 127.0.0.1 --directory TEMPDIR/www} ({@code www} is created empty).
     *
     * @param port    a port number, or {@code "{port}"} for {@code portmanager run} to fill in
     * @param tempDir a temporary directory owned by the test
     */
    public static List<String> command(Object port, Path tempDir) {
        return List.of("python3", "-m", "http.server", String.valueOf(port), "--bind", "127.0.0.1",
                "--directory", directory(tempDir).toString());
    }

    /** {@code TEMPDIR/www}, created when missing: what the server serves (a test may put files there). */
    public static Path directory(Path tempDir) {
        try {
            return Files.createDirectories(tempDir.resolve("www"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
