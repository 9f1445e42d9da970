package dev.portmanager.host;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.Set;

/**
 * File modes for a state directory that several users share. When the state directory itself is group-writable
 * (say {@code chgrp devs /srv/pm; chmod 2775 /srv/pm}), every file and directory PortManager creates in it gets
 * the group's read and write bits and the directory's group, whatever the creating process's umask: otherwise the
 * first user's umask (022 usually) would lock every other user out of the claims file. A private state directory
 * (not group-writable) keeps the umask's modes.
 */
final class SharedModes {
    private static final SharedModes PRIVATE = new SharedModes(null, null, null);

    private final Set<PosixFilePermission> fileModes;
    private final Set<PosixFilePermission> dirModes;
    private final GroupPrincipal group;

    private SharedModes(Set<PosixFilePermission> fileModes, Set<PosixFilePermission> dirModes, GroupPrincipal group) {
        this.fileModes = fileModes;
        this.dirModes = dirModes;
        this.group = group;
    }

    /** The modes for files created under {@code root} (which exists). */
    static SharedModes of(Path root) {
        PosixFileAttributes attrs;
        try {
            attrs = Files.readAttributes(root, PosixFileAttributes.class);
        } catch (IOException | UnsupportedOperationException e) {
            return PRIVATE;
        }
        Set<PosixFilePermission> p = attrs.permissions();
        if (!p.contains(PosixFilePermission.GROUP_WRITE)) {
            return PRIVATE;
        }
        Set<PosixFilePermission> files = EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE,
                PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE);
        if (p.contains(PosixFilePermission.OTHERS_READ)) {
            files.add(PosixFilePermission.OTHERS_READ);
        }
        Set<PosixFilePermission> dirs = EnumSet.copyOf(files);
        dirs.add(PosixFilePermission.OWNER_EXECUTE);
        dirs.add(PosixFilePermission.GROUP_EXECUTE);
        if (p.contains(PosixFilePermission.OTHERS_READ)) {
            dirs.add(PosixFilePermission.OTHERS_EXECUTE);
        }
        return new SharedModes(files, dirs, attrs.group());
    }

    boolean shared() {
        return fileModes != null;
    }

    /** Gives a file this process just created the shared modes (nothing for a private directory). */
    void file(Path file) {
        apply(file, fileModes);
    }

    /** Gives a directory this process just created the shared modes. */
    void directory(Path dir) {
        apply(dir, dirModes);
    }

    private void apply(Path path, Set<PosixFilePermission> modes) {
        if (modes == null) {
            return;
        }
        try {
            PosixFileAttributeView view = Files.getFileAttributeView(path, PosixFileAttributeView.class,
                    LinkOption.NOFOLLOW_LINKS);
            PosixFileAttributes now = view.readAttributes();
            if (now.isSymbolicLink() || now.permissions().containsAll(modes) && now.group().equals(group)) {
                return;
            }
            // A setgid directory gives new files its group already; otherwise hand them to it when we may.
            if (!now.group().equals(group)) {
                view.setGroup(group);
            }
            if (!now.permissions().containsAll(modes)) {
                // chmod through the "unix" view keeps the setgid bit (a plain permission set would clear it, and
                // with it the inheritance of the group by what is created inside later).
                int mode = (Integer) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
                Files.setAttribute(path, "unix:mode", (mode & 07777) | bits(modes), LinkOption.NOFOLLOW_LINKS);
            }
        } catch (IOException | RuntimeException e) {
            // Another user's file (only its owner may change it) or a file system without POSIX modes.
        }
    }

    private static int bits(Set<PosixFilePermission> modes) {
        int bits = 0;
        for (PosixFilePermission p : modes) {
            bits |= 0400 >> p.ordinal(); // OWNER_READ..OTHERS_EXECUTE are declared in rwxrwxrwx order
        }
        return bits;
    }
}
