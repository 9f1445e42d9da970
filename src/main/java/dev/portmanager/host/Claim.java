package dev.portmanager.host;

import dev.portmanager.Allocation;
import dev.portmanager.AllocationState;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.Properties;

/**
 * The content of one port's claim record: the allocation that holds (or last held) the port and, once released,
 * when. Stored as a Java properties text (read with {@link Properties}) so that a human can read it and no
 * parsing library loads on an app's first bind.
 *
 * @param allocation   the current or previous allocation of the port
 * @param releasedAt   when it was released (epoch ms), 0 while it is held
 * @param lockHolder   the process that holds the record's owner lock while the claim lives
 *                     ({@code pid@start@pidNamespace}), null when no process holds one (a reservation, a claim
 *                     made for another process, or a record written before owner locks existed)
 * @param pidNamespace the pid namespace of the process that wrote the record, null when unknown
 * @param ownerLock    whether some process held the owner lock when the record was read (not stored)
 */
public record Claim(Allocation allocation, long releasedAt, String lockHolder, String pidNamespace,
                    OwnerLock ownerLock) {

    /** What a reader saw of the record's owner lock (the kernel drops it when its holder dies, SIGKILL too). */
    public enum OwnerLock {
        /** Some process (perhaps this one) holds it: the claim's holder is alive. */
        HELD,
        /** Nobody holds it. */
        FREE,
        /** Not looked at (a claim built in memory). */
        UNKNOWN
    }

    public Claim(Allocation allocation, long releasedAt) {
        this(allocation, releasedAt, null, null, OwnerLock.UNKNOWN);
    }

    Claim withLockHolder(String holder, String namespace) {
        return new Claim(allocation, releasedAt, holder, namespace, ownerLock);
    }

    Claim withOwnerLock(OwnerLock seen) {
        return new Claim(allocation, releasedAt, lockHolder, pidNamespace, seen);
    }

    /** Thrown for a record whose content is not a claim; the caller sets it aside. */
    public static final class DamagedException extends IOException {
        private final byte[] raw;

        DamagedException(String message) {
            this(message, null);
        }

        DamagedException(String message, byte[] raw) {
            super(message);
            this.raw = raw;
        }

        /** The bytes as found, when they are not the claim text itself. */
        byte[] raw() {
            return raw;
        }
    }

    /** Longest claim text a state-directory record holds. */
    static final int MAX_BYTES = 1020;

    public AllocationState state() {
        return allocation.state();
    }

    byte[] encode() {
        byte[] full = encode(allocation.reason());
        if (full.length <= MAX_BYTES) {
            return full;
        }
        // Only the reason is free text; shorten it so the claim fits its record.
        String reason = allocation.reason() == null ? "" : allocation.reason();
        int cut = Math.max(0, reason.length() - (full.length - MAX_BYTES) - 3);
        return encode(reason.substring(0, cut) + "...");
    }

    private byte[] encode(String reason) {
        Allocation a = allocation;
        StringBuilder b = new StringBuilder(400);
        b.append("# PortManager claim, changed only under a lock on this record\n");
        line(b, "port", a.port());
        line(b, "state", a.state().name());
        line(b, "host", a.host());
        line(b, "service", a.service());
        line(b, "type", a.type());
        line(b, "instance", a.instance());
        line(b, "endpoint", a.endpoint());
        line(b, "requestedPort", a.requestedPort());
        line(b, "advertised", a.advertised());
        line(b, "pid", a.pid());
        line(b, "processStart", a.processStart());
        line(b, "createdAt", a.createdAt());
        line(b, "leaseMillis", a.leaseMillis());
        line(b, "leaseUntil", a.leaseUntil());
        line(b, "generation", a.generation());
        line(b, "reason", reason);
        line(b, "releasedAt", releasedAt);
        line(b, "lockHolder", lockHolder);
        line(b, "pidNamespace", pidNamespace);
        return b.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static void line(StringBuilder b, String key, Object value) {
        if (value == null) {
            return;
        }
        // Values are validated names and numbers, plus the free-text reason: keep it on one line and free of the
        // characters the properties format treats specially.
        String text = value.toString().replace('\\', '/').replace('\n', ' ').replace('\r', ' ');
        b.append(key).append('=').append(text).append('\n');
    }

    /** Decodes a record's claim text; null when empty (a port never claimed). */
    static Claim decode(byte[] content) throws DamagedException {
        if (content.length == 0) {
            return null;
        }
        Properties p = new Properties();
        try {
            p.load(new StringReader(new String(content, StandardCharsets.UTF_8)));
            Allocation a = new Allocation(
                    required(p, "host"), Integer.parseInt(required(p, "port")), required(p, "service"),
                    required(p, "type"), required(p, "instance"), required(p, "endpoint"),
                    Integer.parseInt(p.getProperty("requestedPort", "0")), p.getProperty("advertised"),
                    Long.parseLong(p.getProperty("pid", "0")), Long.parseLong(p.getProperty("processStart", "0")),
                    Long.parseLong(required(p, "createdAt")), Long.parseLong(required(p, "leaseMillis")),
                    Long.parseLong(required(p, "leaseUntil")), AllocationState.valueOf(required(p, "state")),
                    Long.parseLong(required(p, "generation")), p.getProperty("reason", ""));
            return new Claim(a, Long.parseLong(p.getProperty("releasedAt", "0")), p.getProperty("lockHolder"),
                    p.getProperty("pidNamespace"), OwnerLock.UNKNOWN);
        } catch (IOException | IllegalArgumentException e) {
            throw new DamagedException(e.getMessage() == null ? e.toString() : e.getMessage());
        }
    }

    private static String required(Properties p, String key) {
        String v = p.getProperty(key);
        if (v == null) {
            throw new IllegalArgumentException("missing " + key);
        }
        return v;
    }
}
