package dev.portmanager.agent.launcher;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.function.Supplier;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.zip.CRC32;

/**
 * The Redis client's libraries (Lettuce, Netty, Reactor, SLF4J), which travel inside the agent jar as one nested
 * jar, {@code inst/lib/redis-libs.jar}. Kept out of the agent jar's own directory because the JVM reads that
 * directory entry by entry (in Java) at every start-up: about 5,000 entries for libraries that only a Redis store
 * uses. Extracted on first use into the agent's private per-build cache directory (or a temporary file when there is
 * none), checked against the size and CRC the agent jar records for it, and opened.
 */
final class NestedLibraries {
    static final String ENTRY = "inst/lib/redis-libs.jar";
    private static final String FILE_NAME = "redis-libs.jar";

    private final JarFile outer;
    /** Where to extract: a private directory of this user, or null (then a temporary file). */
    private volatile Supplier<Path> directory;
    private JarFile opened;
    private boolean tried;

    NestedLibraries(JarFile outer) {
        this.outer = outer;
    }

    void extractInto(Supplier<Path> privateDirectory) {
        this.directory = privateDirectory;
    }

    /** The nested jar if an earlier {@link #jar()} opened it, else null: never extracts anything. */
    synchronized JarFile ifOpened() {
        return opened;
    }

    /** The nested jar, extracted and opened on the first call; null when this agent jar has none or it failed. */
    synchronized JarFile jar() {
        if (!tried) {
            tried = true;
            try {
                opened = open();
                if (opened != null && Boolean.getBoolean("portmanager.debug")) {
                    System.err.println("[portmanager] opened the Redis libraries " + opened.getName());
                }
            } catch (IOException | RuntimeException e) {
                System.err.println("[portmanager] cannot open the agent's Redis libraries (" + e + ")");
            }
        }
        return opened;
    }

    private JarFile open() throws IOException {
        JarEntry entry = outer.getJarEntry(ENTRY);
        if (entry == null) {
            return null;
        }
        Supplier<Path> dirs = directory;
        Path dir = dirs == null ? null : dirs.get();
        Path file;
        if (dir != null) {
            file = dir.resolve(FILE_NAME);
            if (!matches(file, entry)) {
                Path partial = dir.resolve(FILE_NAME + "." + ProcessHandle.current().pid() + ".tmp");
                extract(entry, partial);
                try {
                    Files.move(partial, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        } else {
            file = Files.createTempFile("portmanager-redis-libs", ".jar");
            file.toFile().deleteOnExit();
            extract(entry, file);
        }
        if (!matches(file, entry)) {
            throw new IOException(file + " does not match the copy in the agent jar");
        }
        return new JarFile(file.toFile(), false);
    }

    private void extract(JarEntry entry, Path to) throws IOException {
        try (InputStream in = outer.getInputStream(entry)) {
            Files.copy(in, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** A regular file (not a link) with the entry's size and CRC32. */
    private static boolean matches(Path file, JarEntry entry) throws IOException {
        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS) || Files.size(file) != entry.getSize()) {
            return false;
        }
        CRC32 crc = new CRC32();
        byte[] buffer = new byte[64 * 1024];
        try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
            for (int n; (n = in.read(buffer)) > 0; ) {
                crc.update(buffer, 0, n);
            }
        }
        return crc.getValue() == entry.getCrc();
    }

    /** The file a resource URL of the nested jar points into. */
    static File fileOf(JarFile jar) {
        return new File(jar.getName());
    }
}
