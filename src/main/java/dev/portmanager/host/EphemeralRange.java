package dev.portmanager.host;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The kernel's ephemeral port range (where outgoing connections get their local ports). A managed range that
 * overlaps it would hand out ports the kernel may give to any client socket at any moment, so the allocator
 * skips them.
 *
 * @param first first ephemeral port, 0 when unknown
 * @param last  last ephemeral port, -1 when unknown
 */
public record EphemeralRange(int first, int last) {
    public static final EphemeralRange NONE = new EphemeralRange(0, -1);

    public static EphemeralRange read() {
        try {
            String[] f = Files.readString(Path.of("/proc/sys/net/ipv4/ip_local_port_range"), StandardCharsets.US_ASCII)
                    .trim().split("\\s+");
            return new EphemeralRange(Integer.parseInt(f[0]), Integer.parseInt(f[1]));
        } catch (IOException | RuntimeException e) {
            return NONE;
        }
    }

    public boolean contains(int port) {
        return port >= first && port <= last;
    }
}
