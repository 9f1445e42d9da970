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
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The host-local state shared by every process that uses the same directory:
 * <ul>
 *   <li>{@code ports/<port>}: one claim file per port, changed only while holding an OS lock on that file, so
 *       two processes can never both be granted one port and no global lock exists (allocation stays O(1));</li>
 *   <li>{@code sticky/<instance>#<endpoint>}: the port an instance last had, to give it back when free;</li>
 *   <li>{@code reserved/<service>@<port>}: an index of ahead-of-time reservations, so the service that binds
 *       later finds its reservation without reading every claim;</li>
 *   <li>{@code damaged/}: claim files that could not be read, set aside for a human and never silently reset.</li>
 * </ul>
 * The OS releases a process's file locks when it dies, so a crash never leaves a port locked.
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

    private final Path root;
    private final Path ports;
    private final Path sticky;
    private final Path reserved;
    private final Path damaged;
    private final ReentrantLock[] stripes = new ReentrantLock[STRIPES];

    public StateDirectory(Path root) {
        this.root = root;
        this.ports = root.resolve("ports");
        this.sticky = root.resolve("sticky");
        this.reserved = root.resolve("reserved");
        this.damaged = root.resolve("damaged");
        for (int i = 0; i < STRIPES; i++) {
            stripes[i] = new ReentrantLock();
        }
        try {
            for (Path dir : List.of(ports, sticky, reserved, damaged)) {
                Files.createDirectories(dir);
            }
            if (!Files.isWritable(ports)) {
                throw new IOException(ports + " is not writable");
            }
        } catch (IOException | SecurityException e) {
            throw new PortManagerException("state directory " + root + " is not usable (" + e
                    + "); set stateDir (or PORTMANAGER_STATE_DIR) to a writable directory", e);
        }
    }

    public Path root() {
        return root;
    }

    /** Runs {@code action} while holding the port's lock (in this process and across processes). */
    public <T> T withPortLocked(int port, LockedAction<T> action) {
        ReentrantLock stripe = stripes[port % STRIPES];
        stripe.lock();
        Path file = ports.resolve(Integer.toString(port));
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE); FileLock ignored = ch.lock()) {
            Claim current = readLocked(port, file, ch);
            return action.apply(current, claim -> {
                byte[] bytes = claim.encode();
                ch.truncate(0);
                ch.write(ByteBuffer.wrap(bytes), 0);
            });
        } catch (IOException e) {
            throw new PortManagerException("cannot update claim " + file + ": " + e, e);
        } finally {
            stripe.unlock();
        }
    }

    /** The claim of one port as it is now (under a shared lock), null when never claimed or unreadable. */
    public Claim read(int port) {
        Path file = ports.resolve(Integer.toString(port));
        ReentrantLock stripe = stripes[port % STRIPES];
        stripe.lock();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
             FileLock ignored = ch.lock(0, Long.MAX_VALUE, true)) {
            return Claim.decode(readAll(ch));
        } catch (Claim.DamagedException e) {
            return null; // set aside by the next writer, which holds the exclusive lock
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            throw new PortManagerException("cannot read claim " + file + ": " + e, e);
        } finally {
            stripe.unlock();
        }
    }

    /** Every port that has a claim file, read one by one. */
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

    /** The ports that have a claim file, in ascending order. */
    public List<Integer> claimedPorts() {
        List<Integer> result = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(ports)) {
            for (Path f : files) {
                try {
                    result.add(Integer.parseInt(f.getFileName().toString()));
                } catch (NumberFormatException ignored) {
                    // not a claim file (an editor's backup, say)
                }
            }
        } catch (IOException e) {
            throw new PortManagerException("cannot list " + ports + ": " + e, e);
        }
        result.sort(null);
        return result;
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

    private Claim readLocked(int port, Path file, FileChannel ch) throws IOException {
        byte[] content = readAll(ch);
        try {
            return Claim.decode(content);
        } catch (Claim.DamagedException e) {
            Path aside = damaged.resolve(port + "-" + System.currentTimeMillis());
            Files.write(aside, content);
            ch.truncate(0);
            Log.warn("claim file " + file + " was damaged (" + e.getMessage() + "); kept aside as " + aside
                    + " and the port treated as unclaimed");
            return null;
        }
    }

    private static byte[] readAll(FileChannel ch) throws IOException {
        long size = ch.size();
        if (size > 64 * 1024) {
            throw new Claim.DamagedException("claim file is " + size + " bytes; a claim is under 1 KiB");
        }
        ByteBuffer buf = ByteBuffer.allocate((int) size);
        while (buf.hasRemaining() && ch.read(buf, buf.position()) > 0) {
            // read until full
        }
        return buf.array();
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
