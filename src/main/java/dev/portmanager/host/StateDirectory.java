package dev.portmanager.host;

import dev.portmanager.Log;
import dev.portmanager.PortManagerException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The host-local state shared by every process that uses the same directory:
 * <ul>
 *   <li>{@code claims}: one fixed-size record per port (record {@code p} at offset {@code p * 1 KiB}, a sparse
 *       file), changed only while holding an OS lock on that record's byte range. Two processes can never both be
 *       granted one port, no global lock exists, and a grant costs a lock, a read and a write on one file that
 *       stays open (no file is created per port, which on some disks costs more than everything else);</li>
 *   <li>{@code sticky/<instance>#<endpoint>}: the port an instance last had, to give it back when free;</li>
 *   <li>{@code reserved/<service>@<port>}: an index of ahead-of-time reservations, so the service that binds
 *       later finds its reservation without reading every claim;</li>
 *   <li>{@code damaged/}: claim records that could not be read, set aside for a human and never silently reset.</li>
 * </ul>
 * The OS releases a process's locks when it dies, so a crash never leaves a port locked. A record holds a 4-byte
 * length and the claim as properties text ({@code strings claims} shows them).
 */
public final class StateDirectory {
    /** What a caller does with a port's claim while it holds the port's lock. */
    public interface LockedAction<T> {
        /**
         * @param current the claim as it is now, null when the port was never claimed
         * @param writer  replaces the claim; call at most once
         */
        T apply(Claim current, ClaimWriter writer) throws IOException;
    }

    /** Replaces the claim of the locked port. */
    public interface ClaimWriter {
        void write(Claim claim) throws IOException;
    }

    /** In-process locks: the OS lock is per process, so threads of one JVM also need their own exclusion. */
    private static final int STRIPES = 64;
    /** Bytes per port record: a 4-byte length and the claim text (well under 1 KiB; see Claim#encode). */
    static final int RECORD = 1024;
    private static final int PORTS = 65536;

    private final Path claimsFile;
    private final Path sticky;
    private final Path reserved;
    private final Path damaged;
    private final FileChannel claims;
    private final ReentrantLock[] stripes = new ReentrantLock[STRIPES];

    public StateDirectory(Path root) {
        this.claimsFile = root.resolve("claims");
        this.sticky = root.resolve("sticky");
        this.reserved = root.resolve("reserved");
        this.damaged = root.resolve("damaged");
        for (int i = 0; i < STRIPES; i++) {
            stripes[i] = new ReentrantLock();
        }
        try {
            for (Path dir : List.of(sticky, reserved, damaged)) {
                Files.createDirectories(dir);
            }
            this.claims = FileChannel.open(claimsFile, StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
        } catch (IOException | SecurityException e) {
            throw new PortManagerException("state directory " + root + " is not usable (" + e
                    + "); set stateDir (or PORTMANAGER_STATE_DIR) to a writable directory", e);
        }
    }

    /** Runs {@code action} while holding the port's lock (in this process and across processes). */
    public <T> T withPortLocked(int port, LockedAction<T> action) {
        checkPort(port);
        ReentrantLock stripe = stripes[port % STRIPES];
        stripe.lock();
        try (FileLock ignored = claims.lock((long) port * RECORD, RECORD, false)) {
            Claim current = readLocked(port);
            return action.apply(current, claim -> writeRecord(port, claim.encode()));
        } catch (IOException e) {
            throw new PortManagerException("cannot update the claim of port " + port + " in " + claimsFile + ": " + e, e);
        } finally {
            stripe.unlock();
        }
    }

    /** The claim of one port as it is now (under a shared lock), null when never claimed or unreadable. */
    public Claim read(int port) {
        checkPort(port);
        ReentrantLock stripe = stripes[port % STRIPES];
        stripe.lock();
        try (FileLock ignored = claims.lock((long) port * RECORD, RECORD, true)) {
            return Claim.decode(readRecord(port));
        } catch (Claim.DamagedException e) {
            return null; // set aside by the next writer, which holds the exclusive lock
        } catch (IOException e) {
            throw new PortManagerException("cannot read the claim of port " + port + " in " + claimsFile + ": " + e, e);
        } finally {
            stripe.unlock();
        }
    }

    /** Every claimed port's claim, read one by one under its lock. */
    public List<Claim> readAll() {
        List<Claim> all = new ArrayList<>();
        for (int port : claimedPorts()) {
            Claim c = read(port);
            if (c != null) {
                all.add(c);
            }
        }
        return all;
    }

    /**
     * The ports that have a record, in ascending order: one sequential pass over the file (its unwritten parts
     * are holes, read as zeros without touching the disk).
     */
    public List<Integer> claimedPorts() {
        List<Integer> result = new ArrayList<>();
        try {
            long size = claims.size();
            ByteBuffer chunk = ByteBuffer.allocate(256 * RECORD);
            for (long base = 0; base < size; base += chunk.capacity()) {
                chunk.clear();
                while (chunk.hasRemaining() && claims.read(chunk, base + chunk.position()) > 0) {
                    // fill the chunk (or reach the end of the file)
                }
                for (int off = 0; off + 4 <= chunk.position(); off += RECORD) {
                    if (chunk.getInt(off) != 0) {
                        result.add((int) ((base + off) / RECORD));
                    }
                }
            }
        } catch (IOException e) {
            throw new PortManagerException("cannot read " + claimsFile + ": " + e, e);
        }
        return result;
    }

    /** Closes the claims file; the directory's other files need no closing. */
    public void close() {
        try {
            claims.close();
        } catch (IOException e) {
            Log.warn("cannot close " + claimsFile + ": " + e);
        }
    }

    // ---- sticky ports ------------------------------------------------------------------------------------------

    /** The port this instance/endpoint last held, or 0. */
    public int stickyPort(String key) {
        try {
            return Integer.parseInt(Files.readString(sticky.resolve(key), StandardCharsets.US_ASCII).trim());
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
    }

    public void rememberSticky(String key, int port) {
        writeAtomically(sticky.resolve(key), Integer.toString(port));
    }

    // ---- reservation index ------------------------------------------------------------------------------------

    /** Ports reserved ahead of time for a service, per the index (the claim itself is the truth). */
    public List<Integer> reservedPorts(String service) {
        // Every owned allocation asks this; one stat tells whether the index changed since the last listing.
        // Directory timestamps tick coarsely (a few ms), so a listing taken within the same tick as the last change
        // is not trusted for later calls.
        long modified = lastModified(reserved);
        List<String> names = reservedNames;
        if (names == null || modified != reservedModified || modified == 0) {
            names = listNames(reserved);
            boolean settled = System.currentTimeMillis() * 1_000_000L - modified > 50_000_000L;
            reservedNames = settled ? names : null;
            reservedModified = modified;
        }
        List<Integer> result = new ArrayList<>();
        String prefix = service + "@";
        for (String name : names) {
            if (name.startsWith(prefix)) {
                try {
                    result.add(Integer.parseInt(name.substring(prefix.length())));
                } catch (NumberFormatException ignored) {
                    // not an index entry
                }
            }
        }
        return result;
    }

    private volatile List<String> reservedNames;
    private volatile long reservedModified;

    private static long lastModified(Path dir) {
        try {
            return Files.getLastModifiedTime(dir).to(java.util.concurrent.TimeUnit.NANOSECONDS);
        } catch (IOException e) {
            return 0;
        }
    }

    private static List<String> listNames(Path dir) {
        List<String> names = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path f : files) {
                names.add(f.getFileName().toString());
            }
        } catch (IOException e) {
            // unreadable index: no reservations found, the claims stay the truth
        }
        return names;
    }

    public void indexReservation(String service, int port) {
        try {
            Files.write(reserved.resolve(service + "@" + port), new byte[0]);
        } catch (IOException e) {
            throw new PortManagerException("cannot write reservation index in " + reserved + ": " + e, e);
        }
    }

    public void unindexReservation(String service, int port) {
        try {
            Files.deleteIfExists(reserved.resolve(service + "@" + port));
        } catch (IOException e) {
            Log.warn("cannot remove reservation index " + service + "@" + port + ": " + e);
        }
    }

    // ---- internals --------------------------------------------------------------------------------------------

    private Claim readLocked(int port) throws IOException {
        byte[] content = null;
        try {
            content = readRecord(port);
            return Claim.decode(content);
        } catch (Claim.DamagedException e) {
            if (e.raw() != null) {
                content = e.raw();
            }
            Path aside = damaged.resolve(port + "-" + System.currentTimeMillis());
            Files.write(aside, content);
            writeRecord(port, new byte[0]);
            Log.warn("the claim of port " + port + " in " + claimsFile + " was damaged (" + e.getMessage()
                    + "); kept aside as " + aside + " and the port treated as unclaimed");
            return null;
        }
    }

    /** The claim bytes of one port's record (empty when unclaimed). */
    private byte[] readRecord(int port) throws IOException {
        ByteBuffer record = ByteBuffer.allocate(RECORD);
        long at = (long) port * RECORD;
        while (record.hasRemaining() && claims.read(record, at + record.position()) > 0) {
            // read the whole record (short only at the end of the file)
        }
        if (record.position() < 4) {
            return new byte[0];
        }
        int length = record.getInt(0);
        if (length < 0 || length > RECORD - 4) {
            // Not a length this code writes: hand the raw record over so it is kept aside as damaged.
            byte[] raw = new byte[record.position()];
            record.get(0, raw);
            throw new Claim.DamagedException("record length " + length + " is not 0-" + (RECORD - 4), raw);
        }
        byte[] content = new byte[length];
        record.get(4, content);
        return content;
    }

    /** Replaces one port's record; the caller holds the record's exclusive lock. */
    private void writeRecord(int port, byte[] content) throws IOException {
        if (content.length > RECORD - 4) {
            throw new IOException("claim of " + content.length + " bytes does not fit a " + RECORD + "-byte record");
        }
        ByteBuffer record = ByteBuffer.allocate(4 + content.length);
        record.putInt(content.length).put(content).flip();
        long at = (long) port * RECORD;
        while (record.hasRemaining()) {
            claims.write(record, at + record.position());
        }
    }

    private static void checkPort(int port) {
        if (port < 1 || port >= PORTS) {
            throw new IllegalArgumentException("port " + port + " is outside 1-65535");
        }
    }

    private void writeAtomically(Path target, String content) {
        try {
            // A name unique to this process and thread; Files.createTempFile would load SecureRandom (and ~40
            // security classes) on the first allocation, which the agent pays on an app's first bind.
            Path tmp = target.resolveSibling(".tmp-" + ProcessHandle.current().pid() + "-"
                    + Thread.currentThread().getId() + "-" + System.nanoTime());
            Files.writeString(tmp, content, StandardCharsets.US_ASCII, StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE);
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            Log.warn("cannot write " + target + ": " + e);
        }
    }
}
