package dev.portmanager.host;

import dev.portmanager.AllocationState;
import dev.portmanager.Log;
import dev.portmanager.Owner;
import dev.portmanager.PortManagerException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
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

    /** Replaces (or erases) the claim of the locked port. */
    public interface ClaimWriter {
        void write(Claim claim) throws IOException;

        /** Leaves no record at all (as if the port had never been claimed). */
        void erase() throws IOException;
    }

    /** Bytes per port record: a 4-byte length and the claim text (well under 1 KiB; see Claim#encode). */
    static final int RECORD = 1024;
    private static final int PORTS = 65536;
    /**
     * How long a record lock is waited for before giving up: a process stopped (SIGSTOP, a debugger) in the middle
     * of an update must not hang every other process's bind. The agent then binds as asked, with one line.
     */
    static final long LOCK_WAIT_NANOS = 5_000_000_000L;

    /** How often one operation reopens the claims file that interrupts keep closing before it gives up. */
    private static final int REOPEN_ATTEMPTS = 5;

    private final Path claimsFile;
    private final Path sticky;
    private final Path reserved;
    private final Path damaged;
    private final SharedModes modes;
    private final SharedClaimsFile claims;
    /** This JVM as an owner-lock holder: pid, start time and pid namespace (pids repeat across containers). */
    private final String lockHolderToken;
    private final long lockWaitNanos;

    public StateDirectory(Path configuredRoot) {
        this(configuredRoot, LOCK_WAIT_NANOS);
    }

    /** @param lockWaitNanos how long to wait for a record lock before giving up (tests shorten it) */
    StateDirectory(Path configuredRoot, long lockWaitNanos) {
        this.lockWaitNanos = lockWaitNanos;
        Path root = StateDirPath.resolve(configuredRoot);
        this.claimsFile = root.resolve("claims");
        this.sticky = root.resolve("sticky");
        this.reserved = root.resolve("reserved");
        this.damaged = root.resolve("damaged");
        this.lockHolderToken = Owner.current().token() + "@" + PidNamespace.current();
        try (Interrupts ignored = Interrupts.cleared()) {
            Files.createDirectories(root);
            this.modes = SharedModes.of(root);
            for (Path dir : List.of(sticky, reserved, damaged)) {
                createPlainDirectory(dir);
            }
            refuseLink(claimsFile);
            this.claims = SharedClaimsFile.open(claimsFile, modes);
        } catch (IOException | SecurityException e) {
            throw new PortManagerException("state directory " + root + " is not usable (" + e
                    + "); set stateDir (or PORTMANAGER_STATE_DIR) to a writable directory", e);
        }
    }

    /**
     * Creates a directory of the state directory when missing; refuses one that is a symbolic link: its entries
     * would be read and written wherever whoever planted it wants (another user of a shared directory, say).
     */
    private void createPlainDirectory(Path dir) throws IOException {
        refuseLink(dir);
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            try {
                Files.createDirectory(dir);
                modes.directory(dir);
            } catch (java.nio.file.FileAlreadyExistsException e) {
                refuseLink(dir); // created by another process just now (or planted in between)
            }
        }
    }

    private static void refuseLink(Path path) throws IOException {
        if (Files.isSymbolicLink(path)) {
            throw new IOException(path + " is a symbolic link (to " + Files.readSymbolicLink(path)
                    + "); PortManager does not follow links inside its state directory: remove it");
        }
    }

    /** Where a port's owner lock sits: the last byte of its record, outside the range its updates lock. */
    static long ownerLockAt(int port) {
        return (long) port * RECORD + RECORD - 1;
    }

    /**
     * Runs {@code action} while holding the port's lock (in this process and across processes).
     *
     * <p>Owner locks: a claim this process writes for itself (ALLOCATED or LISTENING, owned by this JVM, or handed
     * over by it to a child it watches) is backed by an exclusive lock on the record's last byte, held as long as
     * the claim lives. The kernel drops it when the process dies, SIGKILL included, in whatever pid namespace the
     * reader is: that, not the pid, is how other processes tell the owner is alive ({@link Claim#ownerLock()}).
     */
    public <T> T withPortLocked(int port, LockedAction<T> action) {
        checkPort(port);
        try (Interrupts interrupts = Interrupts.cleared()) {
            for (int attempt = 0; ; attempt++) {
                FileChannel channel = claims.channel();
                RecordWriter writer = new RecordWriter(channel, port, interrupts);
                try {
                    T result = lockedUpdate(channel, port, action, writer, interrupts);
                    if (writer.erased) {
                        trimQuietly(writer.channel, port);
                    }
                    return result;
                } catch (ClosedChannelException e) {
                    // Closed under us (another thread was interrupted in the middle of an operation): once more.
                    interrupts.absorb();
                    if (attempt >= REOPEN_ATTEMPTS) {
                        throw e;
                    }
                    claims.reopen(channel);
                }
            }
        } catch (IOException e) {
            throw new PortManagerException("cannot update the claim of port " + port + " in " + claimsFile + ": " + e, e);
        }
    }

    private <T> T lockedUpdate(FileChannel channel, int port, LockedAction<T> action, RecordWriter writer,
                               Interrupts interrupts) throws IOException {
        ReentrantLock stripe = claims.stripe(port);
        lockStripe(stripe, port, interrupts);
        try {
            FileLock lock = lockRange(channel, (long) port * RECORD, RECORD - 1, false, port, interrupts);
            try {
                Claim current = observeOwnerLock(channel, port, readLocked(channel, port, writer));
                writer.last = current;
                T result = action.apply(current, writer);
                settleOwnerLock(port, writer.last);
                return result;
            } finally {
                releaseQuietly(lock);
                releaseQuietly(writer.relocked);
            }
        } finally {
            stripe.unlock();
        }
    }

    /** The writer handed to a locked action: stamps owner-lock facts on what it writes. */
    private final class RecordWriter implements ClaimWriter {
        private final int port;
        private final Interrupts interrupts;
        FileChannel channel;
        /** The record's content as the update found it. */
        byte[] before = new byte[0];
        /** The record lock taken again after the channel was reopened in the middle of a write, or null. */
        FileLock relocked;
        Claim last;
        boolean erased;

        RecordWriter(FileChannel channel, int port, Interrupts interrupts) {
            this.channel = channel;
            this.port = port;
            this.interrupts = interrupts;
        }

        @Override
        public void write(Claim claim) throws IOException {
            String holder = null;
            if (holdsPort(claim) && takeOwnerLock(channel, port)) {
                holder = lockHolderToken;
            }
            Claim stamped = claim.withLockHolder(holder, PidNamespace.current());
            finishWrite(stamped.encode());
            last = stamped;
        }

        @Override
        public void erase() throws IOException {
            finishWrite(new byte[0]);
            last = null;
            erased = true;
        }

        /**
         * Writes the record. If an interrupt closed the channel during the write (only possible without the agent's
         * uninterruptible channel), the write may or may not have landed, and the record lock went with the channel:
         * reopen, lock again, and complete the write if the record is still as found. Retrying the whole update
         * instead would find its own half-done grant and leak it.
         */
        private void finishWrite(byte[] content) throws IOException {
            for (int attempt = 0; ; attempt++) {
                try {
                    writeRecord(channel, port, content);
                    return;
                } catch (ClosedChannelException e) {
                    interrupts.absorb();
                    if (attempt >= REOPEN_ATTEMPTS) {
                        throw e;
                    }
                }
                FileChannel fresh = claims.reopen(channel);
                channel = fresh;
                releaseQuietly(relocked);
                relocked = null;
                try {
                    relocked = lockRange(fresh, (long) port * RECORD, RECORD - 1, false, port, interrupts);
                    byte[] now = readRecord(fresh, port);
                    if (java.util.Arrays.equals(now, content)) {
                        return; // it landed
                    }
                    if (!java.util.Arrays.equals(now, before)) {
                        throw new IOException("the claim of port " + port + " changed while " + claimsFile
                                + " was reopened after an interrupt; not overwritten");
                    }
                } catch (ClosedChannelException e) {
                    interrupts.absorb(); // closed again: go round
                }
            }
        }
    }

    private void trimQuietly(FileChannel channel, int port) {
        try {
            trimAfterErase(channel, port);
        } catch (IOException e) {
            // the records are erased; a later view cuts the tail
        }
    }

    /** A claim that this JVM backs with its owner lock: live, and its own or one it already backs (a hand-over). */
    private boolean holdsPort(Claim claim) {
        AllocationState s = claim.state();
        if (s != AllocationState.ALLOCATED && s != AllocationState.LISTENING) {
            return false;
        }
        return Owner.current().equals(claim.allocation().owner()) || claims.ownerLocks().containsKey(claim.allocation().port());
    }

    /**
     * Takes the port's owner lock for this JVM; false when another process still holds it: an SO_REUSEPORT hand-over,
     * where the previous holder lets go only when it releases or exits. The claim is then written without a lock
     * holder and judged by its owner's pid until a later update of this JVM takes the lock.
     */
    private boolean takeOwnerLock(FileChannel channel, int port) throws IOException {
        synchronized (claims.monitor()) {
            if (claims.ownerLocks().containsKey(port)) {
                return true;
            }
            FileLock lock;
            try {
                lock = channel.tryLock(ownerLockAt(port), 1, false);
            } catch (OverlappingFileLockException e) {
                lock = null;
            }
            if (lock == null) {
                return false;
            }
            claims.ownerLocks().put(port, lock);
            return true;
        }
    }

    /** Keeps this JVM's owner lock only while the record holds a live claim backed by it. */
    private void settleOwnerLock(int port, Claim last) {
        boolean keep = last != null && lockHolderToken.equals(last.lockHolder())
                && (last.state() == AllocationState.ALLOCATED || last.state() == AllocationState.LISTENING);
        if (keep) {
            return;
        }
        synchronized (claims.monitor()) {
            FileLock held = claims.ownerLocks().remove(port);
            releaseQuietly(held);
        }
    }

    /** Adds what the owner lock says now: held (by anyone, this JVM included) or free. */
    private Claim observeOwnerLock(FileChannel channel, int port, Claim claim) throws IOException {
        if (claim == null || claim.state() == AllocationState.RESERVED) {
            return claim;
        }
        if (claims.ownerLocks().containsKey(port)) {
            return claim.withOwnerLock(Claim.OwnerLock.HELD);
        }
        try {
            FileLock probe = channel.tryLock(ownerLockAt(port), 1, true);
            if (probe == null) {
                return claim.withOwnerLock(Claim.OwnerLock.HELD);
            }
            probe.release();
            return claim.withOwnerLock(Claim.OwnerLock.FREE);
        } catch (OverlappingFileLockException e) {
            return claim.withOwnerLock(Claim.OwnerLock.HELD); // another copy of the core in this JVM holds it
        }
    }

    /** The claim of one port as it is now (under a shared lock), null when never claimed or unreadable. */
    public Claim read(int port) {
        checkPort(port);
        try (Interrupts interrupts = Interrupts.cleared()) {
            for (int attempt = 0; ; attempt++) {
                FileChannel channel = claims.channel();
                try {
                    return readShared(channel, port, interrupts);
                } catch (ClosedChannelException e) {
                    interrupts.absorb();
                    if (attempt >= REOPEN_ATTEMPTS) {
                        throw e;
                    }
                    claims.reopen(channel);
                }
            }
        } catch (IOException e) {
            throw new PortManagerException("cannot read the claim of port " + port + " in " + claimsFile + ": " + e, e);
        }
    }

    private Claim readShared(FileChannel channel, int port, Interrupts interrupts) throws IOException {
        ReentrantLock stripe = claims.stripe(port);
        lockStripe(stripe, port, interrupts);
        try {
            FileLock lock = lockRange(channel, (long) port * RECORD, RECORD - 1, true, port, interrupts);
            try {
                return observeOwnerLock(channel, port, Claim.decode(readRecord(channel, port)));
            } catch (Claim.DamagedException e) {
                return null; // set aside by the next writer, which holds the exclusive lock
            } finally {
                releaseQuietly(lock);
            }
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
        try (Interrupts interrupts = Interrupts.cleared()) {
            for (int attempt = 0; ; attempt++) {
                FileChannel channel = claims.channel();
                try {
                    return claimedPorts(channel);
                } catch (ClosedChannelException e) {
                    interrupts.absorb();
                    if (attempt >= REOPEN_ATTEMPTS) {
                        throw e;
                    }
                    claims.reopen(channel);
                }
            }
        } catch (IOException e) {
            throw new PortManagerException("cannot read " + claimsFile + ": " + e, e);
        }
    }

    private static List<Integer> claimedPorts(FileChannel channel) throws IOException {
        List<Integer> result = claimedPortsIn(channel);
        long lastEnd = result.isEmpty() ? 0 : (long) (result.get(result.size() - 1) + 1) * RECORD;
        if (channel.size() - lastEnd > (long) TRIM_WINDOW * RECORD) {
            cutEmptyTail(channel, lastEnd); // left by closes that were not the last record at the time
        }
        return result;
    }

    private static List<Integer> claimedPortsIn(FileChannel channel) throws IOException {
        List<Integer> result = new ArrayList<>();
        long size = channel.size();
        ByteBuffer chunk = ByteBuffer.allocate(256 * RECORD);
        for (long base = 0; base < size; base += chunk.capacity()) {
            chunk.clear();
            while (chunk.hasRemaining() && channel.read(chunk, base + chunk.position()) > 0) {
                // fill the chunk (or reach the end of the file)
            }
            for (int off = 0; off + 4 <= chunk.position(); off += RECORD) {
                if (chunk.getInt(off) != 0) {
                    result.add((int) ((base + off) / RECORD));
                }
            }
        }
        return result;
    }

    /** The claims file's length in bytes (its records reach this far). */
    public long claimsFileSize() {
        try (Interrupts ignored = Interrupts.cleared()) {
            return claims.channel().size();
        } catch (IOException e) {
            throw new PortManagerException("cannot read " + claimsFile + ": " + e, e);
        }
    }

    /** This user of the claims file is done; the JVM's shared channel stays open for the others. */
    public void close() {
        claims.close();
    }

    // ---- sticky ports ------------------------------------------------------------------------------------------

    /** The port this instance/endpoint last held, or 0. */
    public int stickyPort(String key) {
        try (Interrupts ignored = Interrupts.cleared();
             java.nio.channels.SeekableByteChannel in = Files.newByteChannel(sticky.resolve(key),
                     StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            ByteBuffer text = ByteBuffer.allocate(16);
            while (text.hasRemaining() && in.read(text) > 0) {
                // a port number is a few bytes
            }
            return Integer.parseInt(new String(text.array(), 0, text.position(), StandardCharsets.US_ASCII).trim());
        } catch (IOException | NumberFormatException e) {
            return 0; // none yet, or a link planted under the name (ELOOP): no sticky port
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

    /**
     * The names in a directory. java.io.File's listing, not a DirectoryStream: every owned allocation lists the
     * reservation index once, and the stream's classes (a dozen, not in the JDK's class-data archive) would load on
     * an app's first bind. An unreadable index lists nothing: the claims stay the truth.
     */
    private static List<String> listNames(Path dir) {
        String[] names = dir.toFile().list();
        return names == null ? List.of() : List.of(names);
    }

    public void indexReservation(String service, int port) {
        Path entry = reserved.resolve(service + "@" + port);
        try (Interrupts ignored = Interrupts.cleared()) {
            Files.write(entry, new byte[0], StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    LinkOption.NOFOLLOW_LINKS);
            modes.file(entry);
        } catch (IOException e) {
            throw new PortManagerException("cannot write reservation index in " + reserved + ": " + e, e);
        }
    }

    public void unindexReservation(String service, int port) {
        try (Interrupts ignored = Interrupts.cleared()) {
            Files.deleteIfExists(reserved.resolve(service + "@" + port));
        } catch (IOException e) {
            Log.warn("cannot remove reservation index " + service + "@" + port + ": " + e);
        }
    }

    // ---- internals --------------------------------------------------------------------------------------------

    private Claim readLocked(FileChannel channel, int port, RecordWriter writer) throws IOException {
        byte[] content = null;
        try {
            content = readRecord(channel, port);
            writer.before = content;
            return Claim.decode(content);
        } catch (Claim.DamagedException e) {
            if (e.raw() != null) {
                content = e.raw();
            }
            Path aside = damaged.resolve(port + "-" + System.currentTimeMillis() + "-" + ProcessHandle.current().pid());
            // CREATE_NEW: never written through a link planted under that name.
            Files.write(aside, content, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            modes.file(aside);
            writeRecord(channel, port, new byte[0]);
            writer.before = new byte[0];
            Log.warn("the claim of port " + port + " in " + claimsFile + " was damaged (" + e.getMessage()
                    + "); kept aside as " + aside + " and the port treated as unclaimed");
            return null;
        }
    }

    /** The claim bytes of one port's record (empty when unclaimed). */
    private static byte[] readRecord(FileChannel channel, int port) throws IOException {
        ByteBuffer record = ByteBuffer.allocate(RECORD);
        long at = (long) port * RECORD;
        while (record.hasRemaining() && channel.read(record, at + record.position()) > 0) {
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
    private static void writeRecord(FileChannel channel, int port, byte[] content) throws IOException {
        if (content.length > RECORD - 4) {
            throw new IOException("claim of " + content.length + " bytes does not fit a " + RECORD + "-byte record");
        }
        ByteBuffer record = ByteBuffer.allocate(4 + content.length);
        record.putInt(content.length).put(content).flip();
        long at = (long) port * RECORD;
        while (record.hasRemaining()) {
            channel.write(record, at + record.position());
        }
    }

    /** Records a tail trim looks at around an erased one: the cost of a close stays one small read. */
    private static final int TRIM_WINDOW = 64;

    /**
     * After a record was erased: when it was the file's last, cut off the empty records that end the file (as far
     * back as {@link #TRIM_WINDOW} records; {@link #claimedPorts()} cuts longer empty tails when it meets them), so
     * that a churn of short-lived records (port-0 binds land high, in the kernel's ephemeral range) does not leave
     * the file, and every view's pass over it, as long as the highest port ever recorded.
     */
    private void trimAfterErase(FileChannel channel, int erasedPort) throws IOException {
        long size = channel.size();
        if (size > (long) (erasedPort + 1) * RECORD) {
            return; // not the last record
        }
        long windowStart = (long) Math.max(0, erasedPort - TRIM_WINDOW + 1) * RECORD;
        cutEmptyTail(channel, emptyRunStart(channel, windowStart, size));
    }

    /**
     * Truncates the file at {@code end} when nothing but empty records follows. Done only when no process holds a
     * lock anywhere at or beyond {@code end} (one non-blocking lock over the tail), so a record being written, or
     * one backed by a live owner's lock, is never cut; the tail is read again under that lock.
     */
    private static void cutEmptyTail(FileChannel channel, long end) throws IOException {
        if (end >= channel.size()) {
            return;
        }
        FileLock tail;
        try {
            tail = channel.tryLock(end, Long.MAX_VALUE - end, false);
        } catch (OverlappingFileLockException e) {
            return; // this JVM works in the tail right now
        }
        if (tail == null) {
            return; // another process does
        }
        try {
            long size = channel.size();
            if (size > end && emptyRunStart(channel, end, size) == end) {
                channel.truncate(end);
            }
        } finally {
            releaseQuietly(tail);
        }
    }

    /** Where the run of empty records that ends the range {@code [from, size)} starts ({@code from} is a record start). */
    private static long emptyRunStart(FileChannel channel, long from, long size) throws IOException {
        ByteBuffer chunk = ByteBuffer.allocate(TRIM_WINDOW * RECORD);
        long runStart = from;
        for (long base = from; base < size; base += chunk.capacity()) {
            chunk.clear();
            while (chunk.hasRemaining() && channel.read(chunk, base + chunk.position()) > 0) {
                // fill (short only at the end of the file)
            }
            for (int off = 0; off + 4 <= chunk.position(); off += RECORD) {
                if (chunk.getInt(off) != 0) {
                    runStart = base + off + RECORD;
                }
            }
        }
        return runStart;
    }

    private static void checkPort(int port) {
        if (port < 1 || port >= PORTS) {
            throw new IllegalArgumentException("port " + port + " is outside 1-65535");
        }
    }

    /** Takes a port's in-process lock, waiting at most the lock wait. */
    private void lockStripe(ReentrantLock stripe, int port, Interrupts interrupts) {
        long deadline = System.nanoTime() + lockWaitNanos;
        while (true) {
            try {
                if (stripe.tryLock(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                    return;
                }
                throw stuck(port, "a thread of this process");
            } catch (InterruptedException e) {
                interrupts.absorb(); // keep waiting: the caller's flag is restored afterwards
                if (System.nanoTime() > deadline) {
                    throw stuck(port, "a thread of this process");
                }
            }
        }
    }

    /**
     * Locks a byte range, waiting at most the lock wait: polls a non-blocking lock (a blocking one would
     * wait as long as a stopped process holds it, and could not be given up).
     */
    private FileLock lockRange(FileChannel channel, long at, long length, boolean shared, int port,
                               Interrupts interrupts) throws IOException {
        long deadline = System.nanoTime() + lockWaitNanos;
        long pause = 20_000;
        while (true) {
            FileLock lock;
            try {
                lock = channel.tryLock(at, length, shared);
            } catch (OverlappingFileLockException e) {
                lock = null; // this JVM's tail trim holds it for a moment
            }
            if (lock != null) {
                return lock;
            }
            if (System.nanoTime() > deadline) {
                throw stuck(port, "another process");
            }
            LockSupport.parkNanos(pause);
            interrupts.absorb();
            pause = Math.min(pause * 2, 10_000_000L);
        }
    }

    private PortManagerException stuck(int port, String who) {
        return new PortManagerException("the claim of port " + port + " in " + claimsFile + " stayed locked by " + who
                + " for " + lockWaitNanos / 1_000_000 + " ms (a stopped or hung process?); gave up waiting");
    }

    private static void releaseQuietly(FileLock lock) {
        if (lock == null) {
            return;
        }
        try {
            if (lock.isValid()) {
                lock.release();
            }
        } catch (IOException e) {
            // the channel closed: the lock went with it
        }
    }

    private void writeAtomically(Path target, String content) {
        try (Interrupts ignored = Interrupts.cleared()) {
            // A name unique to this process and thread; Files.createTempFile would load SecureRandom (and ~40
            // security classes) on the first allocation, which the agent pays on an app's first bind.
            Path tmp = target.resolveSibling(".tmp-" + Owner.current().pid() + "-"
                    + Thread.currentThread().getId() + "-" + System.nanoTime());
            Files.writeString(tmp, content, StandardCharsets.US_ASCII, StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE);
            modes.file(tmp);
            // A rename replaces a link planted under the target's name; it never writes through it.
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            Log.warn("cannot write " + target + ": " + e);
        }
    }
}
