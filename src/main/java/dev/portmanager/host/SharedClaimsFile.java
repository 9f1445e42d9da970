package dev.portmanager.host;

import dev.portmanager.Log;

import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The one open channel of a claims file in this JVM, shared by every user of the state directory in it: the agent's
 * core, an app's own {@code PortManager} or {@code DiscoveryClient}, two managers of one app.
 *
 * <p>Why one: the JVM keeps a single table of file locks per file for all class loaders (a second channel's
 * overlapping lock throws {@code OverlappingFileLockException}), and closing any channel of a file drops every
 * POSIX lock the process holds on it, owner locks included (see {@link StateDirectory}). So the channel, the
 * in-process lock stripes and the table of owner locks this JVM holds live in one slot per file, found through a
 * JDK-typed table every class loader can reach: {@code java.net.PortManagerBridge.shared()} when the agent runs (the
 * bridge is defined into java.base), else a table of this class (one per loader of the core: without the agent an
 * app normally has one copy of it). Limitation: an agent attached late to a JVM whose app already opened the same
 * state directory gets a second slot.
 *
 * <p>The slot holds only JDK types ({@code Object[]}), because the other copies' classes are not ours. The channel is
 * closed when the last user closes it and this JVM holds no owner lock; it is reopened (and the owner locks taken
 * again) when found closed.
 */
final class SharedClaimsFile {
    private static final int CHANNEL = 0;
    private static final int STRIPES = 1;
    private static final int OWNER_LOCKS = 2;
    private static final int USERS = 3;
    /** In-process locks: the OS lock is per process, so threads of one JVM also need their own exclusion. */
    private static final int STRIPE_COUNT = 64;
    private static final Map<String, Object> LOADER_LOCAL = new ConcurrentHashMap<>();

    private final Path file;
    private final Object[] slot;
    private boolean closed;

    private SharedClaimsFile(Path file, Object[] slot) {
        this.file = file;
        this.slot = slot;
    }

    /** Opens (creating it when missing, never through a symbolic link) or joins this JVM's channel of {@code file}. */
    static SharedClaimsFile open(Path file, SharedModes modes) throws IOException {
        Map<String, Object> table = processWide();
        synchronized (table) {
            String key = keyOf(file);
            Object[] slot = key == null ? null : (Object[]) table.get(key);
            if (slot == null || !isOpen(slot)) {
                FileChannel channel = openChannel(file, modes);
                key = keyOf(file);
                slot = (Object[]) table.get(key);
                if (slot == null) {
                    ReentrantLock[] stripes = new ReentrantLock[STRIPE_COUNT];
                    for (int i = 0; i < STRIPE_COUNT; i++) {
                        stripes[i] = new ReentrantLock();
                    }
                    slot = new Object[] {channel, stripes, new ConcurrentHashMap<Integer, FileLock>(), new int[1]};
                    table.put(key, slot);
                } else {
                    synchronized (slot) {
                        slot[CHANNEL] = channel;
                    }
                }
            }
            synchronized (slot) {
                ((int[]) slot[USERS])[0]++;
            }
            return new SharedClaimsFile(file, slot);
        }
    }

    private static FileChannel openChannel(Path file, SharedModes modes) throws IOException {
        boolean existed = Files.exists(file, LinkOption.NOFOLLOW_LINKS);
        // NOFOLLOW_LINKS: a link planted as "claims" is refused (ELOOP), never written through.
        FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
        if (!existed) {
            modes.file(file);
        }
        return uninterruptible(channel);
    }

    /**
     * Asks the bridge (code in java.base may) to make the channel ignore interrupts. Without the agent there is no
     * bridge: {@link StateDirectory} then keeps the flag away from each operation and reopens a channel that an
     * interrupt arriving in the middle of one closed.
     */
    private static FileChannel uninterruptible(FileChannel channel) {
        java.util.function.Predicate<FileChannel> provided = JvmWideTable.uninterruptible();
        if (provided != null) {
            provided.test(channel);
            return channel;
        }
        try {
            Class<?> bridge = Class.forName("java.net.PortManagerBridge", false, null);
            bridge.getMethod("uninterruptible", FileChannel.class).invoke(null, channel);
        } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
            // no agent in this JVM
        }
        return channel;
    }

    /** The file's identity (device and inode): two paths to one file share a slot. */
    private static String keyOf(Path file) throws IOException {
        try {
            Object key = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
            return "claims " + (key != null ? key.toString() : file.toAbsolutePath().normalize().toString());
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    private static boolean isOpen(Object[] slot) {
        synchronized (slot) {
            FileChannel c = (FileChannel) slot[CHANNEL];
            return c != null && c.isOpen();
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> processWide() {
        Map<String, Object> provided = JvmWideTable.table();
        if (provided != null) {
            return provided;
        }
        try {
            Class<?> bridge = Class.forName("java.net.PortManagerBridge", false, null);
            Method shared = bridge.getMethod("shared");
            return (Map<String, Object>) shared.invoke(null);
        } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
            return LOADER_LOCAL; // no agent in this JVM (or one without the shared table)
        }
    }

    /** The channel as it is now; an IOException when this user closed it. */
    FileChannel channel() throws IOException {
        synchronized (slot) {
            FileChannel c = (FileChannel) slot[CHANNEL];
            if (closed || c == null) {
                throw new java.nio.channels.ClosedChannelException();
            }
            return c;
        }
    }

    /**
     * Replaces a channel found closed (a thread interrupted in the middle of an operation closes it) and takes this
     * JVM's owner locks again: the close dropped them. A lock another process took in between is reported lost.
     */
    FileChannel reopen(FileChannel broken) throws IOException {
        synchronized (slot) {
            FileChannel c = (FileChannel) slot[CHANNEL];
            if (closed) {
                throw new java.nio.channels.ClosedChannelException();
            }
            if (c != broken && c != null && c.isOpen()) {
                return c; // another thread reopened it already
            }
            FileChannel fresh = uninterruptible(FileChannel.open(file, StandardOpenOption.READ,
                    StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS));
            slot[CHANNEL] = fresh;
            Map<Integer, FileLock> owned = ownerLocks();
            for (Map.Entry<Integer, FileLock> e : owned.entrySet()) {
                FileLock again = null;
                try {
                    again = fresh.tryLock(StateDirectory.ownerLockAt(e.getKey()), 1, false);
                } catch (IOException | OverlappingFileLockException ex) {
                    // reported below
                }
                if (again == null) {
                    owned.remove(e.getKey());
                    Log.warn("lost the owner lock of port " + e.getKey() + " in " + file
                            + " while reopening it; another process may take the port");
                } else {
                    e.setValue(again);
                }
            }
            return fresh;
        }
    }

    ReentrantLock stripe(int port) {
        return ((ReentrantLock[]) slot[STRIPES])[port % STRIPE_COUNT];
    }

    /** The owner locks this JVM holds, by port. Changed only under the port's stripe and this slot's monitor. */
    @SuppressWarnings("unchecked")
    Map<Integer, FileLock> ownerLocks() {
        return (Map<Integer, FileLock>) slot[OWNER_LOCKS];
    }

    /** Guards changes of the owner-lock table against a concurrent {@link #reopen}. */
    Object monitor() {
        return slot;
    }

    /** This user is done; the channel closes with the last user unless this JVM still holds owner locks. */
    void close() {
        synchronized (slot) {
            if (closed) {
                return;
            }
            closed = true;
            int[] users = (int[]) slot[USERS];
            users[0]--;
            FileChannel c = (FileChannel) slot[CHANNEL];
            if (users[0] <= 0 && ownerLocks().isEmpty() && c != null) {
                try {
                    c.close();
                } catch (IOException e) {
                    Log.warn("cannot close " + file + ": " + e);
                }
                slot[CHANNEL] = null;
            }
        }
    }
}
