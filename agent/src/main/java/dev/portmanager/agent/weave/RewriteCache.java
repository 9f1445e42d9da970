package dev.portmanager.agent.weave;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
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
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rwx------");

    private final Path dir;
    private volatile Boolean trusted;

    RewriteCache(Path dir) {
        this.dir = dir;
    }

    /** The rewrite stored for these original bytes, or null. */
    byte[] find(String className, byte[] original) {
        if (!isTrusted()) {
            return null;
        }
        try {
            Path entry = dir.resolve(key(className, original));
            if (!Files.isRegularFile(entry, LinkOption.NOFOLLOW_LINKS)) {
                return null;
            }
            try (java.io.InputStream in = Files.newInputStream(entry, LinkOption.NOFOLLOW_LINKS)) {
                return in.readAllBytes();
            }
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    void store(String className, byte[] original, byte[] rewritten) {
        if (!isTrusted()) {
            return;
        }
        Path entry = dir.resolve(key(className, original));
        Path partial = dir.resolve(entry.getFileName() + "." + ProcessHandle.current().pid() + ".tmp");
        try {
            Files.write(partial, rewritten);
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

    static String key(String className, byte[] original) {
        CRC32 crc = new CRC32();
        crc.update(original);
        return className.replace('/', '.') + "-" + original.length + "-" + Long.toHexString(crc.getValue()) + ".class";
    }

    /** Creates the directory owner-only when missing; trusts it only when it is this user's and nobody else can write. */
    private boolean isTrusted() {
        Boolean t = trusted;
        if (t == null) {
            t = check();
            trusted = t;
        }
        return t;
    }

    private boolean check() {
        try {
            // Both levels (agent-cache/ and the build's directory in it) must be real directories of this user that
            // nobody else can write: in a shared state directory another user could otherwise plant a link or swap
            // the entries under us.
            Path parent = dir.getParent();
            if (!Files.isDirectory(parent, LinkOption.NOFOLLOW_LINKS) && !Files.isSymbolicLink(parent)) {
                Files.createDirectories(parent.getParent());
                Files.createDirectory(parent, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
            }
            if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS) && !Files.isSymbolicLink(dir) && isPrivate(parent)) {
                Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
            }
            return isPrivate(parent) && isPrivate(dir);
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** A directory (not a link to one) of this user that no one else may write. */
    private static boolean isPrivate(Path d) throws IOException {
        if (!Files.isDirectory(d, LinkOption.NOFOLLOW_LINKS)) {
            return false;
        }
        Set<PosixFilePermission> perms = Files.getPosixFilePermissions(d, LinkOption.NOFOLLOW_LINKS);
        boolean othersWrite = perms.contains(PosixFilePermission.GROUP_WRITE)
                || perms.contains(PosixFilePermission.OTHERS_WRITE);
        String owner = Files.getOwner(d, LinkOption.NOFOLLOW_LINKS).getName();
        return !othersWrite && owner.equals(System.getProperty("user.name"));
    }
}
