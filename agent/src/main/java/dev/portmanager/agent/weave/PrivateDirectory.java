package dev.portmanager.agent.weave;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The agent's per-user, per-build cache directory ({@code <stateDir>/agent-cache/<jar size>-<jar time>}): rewritten
 * java.base classes and the extracted Redis libraries live there, so it is used only when it and its parent belong
 * to this user and nobody else can write them. {@link #get} answers the path once that holds (creating both levels
 * owner-only when missing), else null; the check runs once, when first asked.
 */
public final class PrivateDirectory implements Supplier<Path> {
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rwx------");

    private final Path dir;
    private volatile Boolean trusted;

    public PrivateDirectory(Path dir) {
        this.dir = dir;
    }

    Path path() {
        return dir;
    }

    @Override
    public Path get() {
        Boolean t = trusted;
        if (t == null) {
            t = check();
            trusted = t;
        }
        return t ? dir : null;
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
