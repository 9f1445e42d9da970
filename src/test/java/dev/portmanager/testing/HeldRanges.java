package dev.portmanager.testing;

import dev.portmanager.config.PortManagerConfig;

import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Ranges no other process on the host can show up in, for views that must give one exact answer on a shared
 * machine (conflicts, utilization): every default type's range is moved onto a single port that this test holds.
 * Most are held by a bound socket that does not listen (invisible in the kernel's listening table, yet nobody else
 * can bind the port); the types named as squatted are held by a listening socket instead, so each shows up as
 * exactly one squatter: this test's own process.
 */
public final class HeldRanges implements AutoCloseable {
    private final Map<String, Integer> portOfType = new LinkedHashMap<>();
    private final List<Closeable> sockets = new ArrayList<>();

    public HeldRanges(Set<String> squatted) {
        try {
            for (String type : PortManagerConfig.defaults().ranges().keySet()) {
                if (squatted.contains(type)) {
                    ServerSocket listening = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
                    sockets.add(listening);
                    portOfType.put(type, listening.getLocalPort());
                } else {
                    Socket bound = new Socket();
                    sockets.add(bound);
                    bound.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                    portOfType.put(type, bound.getLocalPort());
                }
            }
        } catch (IOException e) {
            close();
            throw new UncheckedIOException("cannot hold a port", e);
        }
    }

    public int port(String type) {
        return portOfType.get(type);
    }

    /** Writes a config file that puts every type's range on its held port. */
    public Path writeConfig(Path file) {
        StringBuilder yaml = new StringBuilder("ranges:\n");
        portOfType.forEach((type, port) ->
                yaml.append("  ").append(type).append(": { start: ").append(port).append(", end: ").append(port)
                        .append(" }\n"));
        try {
            return Files.writeString(file, yaml);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        for (Closeable s : sockets) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing a socket we own cannot meaningfully fail
            }
        }
    }
}
