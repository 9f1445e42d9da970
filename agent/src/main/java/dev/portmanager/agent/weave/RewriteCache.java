package dev.portmanager.agent.weave;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.zip.CRC32;

/**
 * Rewritten class bytes kept on disk, so that a warm start needs no ASM at all (the rewrite is the largest
 * agent cost on the app's thread before its first bind).
 *
 * <p>The key is the class name plus the length and CRC32 of the original bytes (a JDK update or another Netty
 * version simply misses), inside a directory named after the agent jar's size and time stamp (a new agent build
 * never reads an old rewrite). This is code that ends up in java.base, so the directory must belong to this user
 * and be writable by nobody else; otherwise the cache is not used at all.
 */
final class RewriteCache {
    private final Path dir;
    private final PrivateDirectory checked;

    RewriteCache(PrivateDirectory dir) {
        this.dir = dir.path();
        this.checked = dir;
    }

    private boolean isTrusted() {
        return checked.get() != null;
    }

    /** The rewrite stored for these original bytes, or null. */
    byte[] find(String className, byte[] original) {
        if (!isTrusted()) {
            return null;
        }
        try {
            Path entry = dir.resolve(key(className, original));
            return Files.isRegularFile(entry, LinkOption.NOFOLLOW_LINKS) ? read(entry) : null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    void store(String className, byte[] original, byte[] rewritten) {
        if (!isTrusted()) {
            return;
        }
        Path entry = dir.resolve(key(className, original));
        // Owner.current(), not ProcessHandle: the latter starts the JDK's process-reaper machinery on first use.
        Path partial = dir.resolve(entry.getFileName() + "." + dev.portmanager.Owner.current().pid() + ".tmp");
        try {
            write(partial, rewritten);
            try {
                Files.move(partial, entry, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(partial, entry, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException | RuntimeException e) {
            try {
                Files.deleteIfExists(partial);
            } catch (IOException ignored) {
                // the next run overwrites it
            }
        }
    }

    /*
     * File channels, not Files.readAllBytes/Files.write: those wrap the channel in a stream through
     * sun.nio.ch.Streams, which on JDK 25 refers to SocketChannelImpl, a class this very cache may be loading
     * (a ClassCircularityError otherwise).
     */
    private static byte[] read(Path file) throws IOException {
        try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            ByteBuffer bytes = ByteBuffer.allocate((int) in.size());
            while (bytes.hasRemaining() && in.read(bytes) >= 0) {
                // until full
            }
            return bytes.array();
        }
    }

    private static void write(Path file, byte[] content) throws IOException {
        try (FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
            ByteBuffer bytes = ByteBuffer.wrap(content);
            while (bytes.hasRemaining()) {
                out.write(bytes);
            }
        }
    }

    static String key(String className, byte[] original) {
        CRC32 crc = new CRC32();
        crc.update(original);
        return className.replace('/', '.') + "-" + original.length + "-" + Long.toHexString(crc.getValue()) + ".class";
    }
}
