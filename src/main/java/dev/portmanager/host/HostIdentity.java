package dev.portmanager.host;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** This host's name as recorded in allocations and the registry. */
public final class HostIdentity {
    private HostIdentity() {
    }

    /**
     * The configured name, else the kernel's host name (read from /proc, which never waits on DNS), else the
     * JDK's local host name, else {@code localhost}.
     */
    public static String hostName(String configured) {
        if (configured != null && !configured.isBlank()) {
            return configured;
        }
        try {
            String name = Files.readString(Path.of("/proc/sys/kernel/hostname"), StandardCharsets.US_ASCII).trim();
            if (!name.isEmpty()) {
                return name;
            }
        } catch (IOException | RuntimeException e) {
            // not Linux: ask the JDK below
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "localhost";
        }
    }
}
