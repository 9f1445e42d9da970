package dev.portmanager.host;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import dev.portmanager.PortManagerException;

import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The kernel's view of which TCP ports are listening on this host, read from /proc/net/tcp and /proc/net/tcp6
 * (one read of two small files instead of a bind attempt per port). Reading them walks the kernel's whole TCP
 * hash table, several milliseconds of system time on a large host, so a read is cached briefly: allocation bursts
 * share one read, and the bind itself stays the final arbiter.
 */
public final class ListeningSockets {
    /** One listening socket: the port, the local address in kernel hex, and the socket inode (to find its process). */
    public record Listener(int port, String localAddressHex, long inode) {
    }

    private static final Path[] TABLES = {Path.of("/proc/net/tcp"), Path.of("/proc/net/tcp6")};
    private static final String LISTEN_STATE = "0A";

    private final long maxAgeNanos;
    private volatile Snapshot cached;

    /** A set of listeners taken at one moment. */
    public record Snapshot(Map<Integer, List<Listener>> byPort, long takenAtNanos) {
        public boolean isListening(int port) {
            return byPort.containsKey(port);
        }

        public List<Listener> listeners(int port) {
            return byPort.getOrDefault(port, List.of());
        }
    }

    public ListeningSockets(long maxAgeMillis) {
        this.maxAgeNanos = maxAgeMillis * 1_000_000L;
    }

    /** A snapshot no older than the configured age. */
    public Snapshot snapshot() {
        Snapshot s = cached;
        long now = System.nanoTime();
        if (s == null || now - s.takenAtNanos() > maxAgeNanos) {
            s = read(now);
            cached = s;
        }
        return s;
    }

    /** A snapshot read now, ignoring the cache. */
    public Snapshot fresh() {
        Snapshot s = read(System.nanoTime());
        cached = s;
        return s;
    }

    /**
     * Drops one port from the cached snapshot: this process just closed or released it, so a rebind right after
     * must not be refused on the strength of a table read while the socket was open. Only that port is dropped:
     * reading the kernel's tables walks its whole TCP hash table (milliseconds of system time on a large host).
     */
    public void forget(int port) {
        Snapshot s = cached;
        if (s != null && s.isListening(port)) {
            Map<Integer, List<Listener>> copy = new HashMap<>(s.byPort());
            copy.remove(port);
            cached = new Snapshot(copy, s.takenAtNanos());
        }
    }


    private static Snapshot read(long now) {
        Map<Integer, List<Listener>> byPort = new HashMap<>();
        // A set interrupt flag would make the read fail (the JDK reads through an interruptible channel): the
        // table must never look empty because the calling thread was interrupted.
        try (Interrupts ignored = Interrupts.cleared()) {
            for (Path table : TABLES) {
                try {
                    parse(Files.readAllLines(table, StandardCharsets.US_ASCII), byPort);
                } catch (NoSuchFileException e) {
                    // No such table (IPv6 disabled, or not Linux): nothing listens there as far as we can tell.
                } catch (IOException e) {
                    // Unreadable is not "nothing listens": a port would be granted where something listens.
                    throw new PortManagerException("cannot read the kernel's socket table " + table + ": " + e, e);
                }
            }
        }
        return new Snapshot(byPort, now);
    }

    /**
     * Parses the kernel's table format: a header line, then per socket
     * {@code sl local_address rem_address st ... uid timeout inode}, addresses as HEX_IP:HEX_PORT.
     */
    static void parse(List<String> lines, Map<Integer, List<Listener>> into) {
        for (int i = 1; i < lines.size(); i++) {
            String[] f = lines.get(i).trim().split("\\s+");
            if (f.length < 10 || !LISTEN_STATE.equals(f[3])) {
                continue;
            }
            int colon = f[1].lastIndexOf(':');
            if (colon < 0) {
                continue;
            }
            try {
                int port = Integer.parseInt(f[1].substring(colon + 1), 16);
                long inode = Long.parseLong(f[9]);
                into.computeIfAbsent(port, p -> new ArrayList<>(1))
                        .add(new Listener(port, f[1].substring(0, colon), inode));
            } catch (NumberFormatException e) {
                // A line we do not understand is skipped rather than trusted.
            }
        }
    }
}
