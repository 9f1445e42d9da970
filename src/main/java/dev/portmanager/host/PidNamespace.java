package dev.portmanager.host;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * This process's pid namespace as the kernel names it ({@code pid:[4026531836]}), or null where there is none to
 * read (not Linux). A pid only means something inside its own namespace: containers that share a host's network
 * and a mounted state directory each see their java as pid 1.
 */
final class PidNamespace {
    private static final String CURRENT = read();

    private PidNamespace() {
    }

    static String current() {
        return CURRENT;
    }

    private static String read() {
        try {
            return Files.readSymbolicLink(Path.of("/proc/self/ns/pid")).toString();
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
