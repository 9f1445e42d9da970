package dev.portmanager.cli;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

/**
 * The set-up of a test class whose tests run the real launcher: each test gets a temporary directory of its own
 * ({@link #dir}) and a {@link Launcher} isolated in it ({@link #pm}).
 */
abstract class LauncherTest {
    @TempDir
    Path dir;
    Launcher pm;

    @BeforeEach
    void newLauncher() {
        pm = new Launcher(dir);
    }
}
