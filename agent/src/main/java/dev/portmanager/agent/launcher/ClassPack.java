package dev.portmanager.agent.launcher;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The agent's own classes (the agent and the core; then SnakeYAML and ASM) as one stored entry of the agent jar,
 * {@code inst/classes.pack}. Why not one jar entry per class: every JVM started with the agent loads about 80 of them
 * before its app binds, and each entry costs a look-up in the jar's directory, a stream and a copy, all in JDK code
 * still interpreted that early (3-4 ms of CPU), while the JVM also walks the whole directory in Java when it opens
 * the jar (about 500 entries more).
 *
 * <p>Two regions: the agent's and the core's classes are read in one go when the agent's class loader starts; the
 * libraries' (SnakeYAML for a config file, ASM for a rewrite the cache lacks) only when one of them is first asked
 * for, so that an app that needs neither does not keep their megabyte in its heap.
 *
 * <p>Layout, big-endian: the magic {@code PMCP}; the entry count n; where the libraries' region starts; n hashes
 * ({@code String.hashCode} of the binary names, ascending); n record offsets; n class lengths; then the records, each
 * the name's length (2 bytes), the name (UTF-8) and the class bytes. A look-up is a binary search over the hashes and
 * one name comparison; the class is defined straight from the region's array.
 *
 * <p>Written at build time by {@link #main} (agent/pom.xml runs it on the staged classes), read here: one class, so
 * that the format has a single definition.
 */
final class ClassPack {
    static final String ENTRY = "inst/classes.pack";
    private static final int MAGIC = 0x504d4350; // "PMCP"
    private static final int FIXED = 12;
    /** The largest read asked of the JDK at once (see {@link #read}). */
    private static final int CHUNK = 8192;

    private final JarFile jar;
    private final JarEntry entry;
    /** The header and the first region's records: offsets below {@link #split} index into it. */
    private final byte[] head;
    private final int split;
    private final int[] hashes;
    private final int[] offsets;
    private final int[] lengths;
    /** The libraries' region, read on first use: offsets from {@link #split} on index into it. */
    private byte[] rest;

    private ClassPack(JarFile jar, JarEntry entry, byte[] head, int split, int count) {
        this.jar = jar;
        this.entry = entry;
        this.head = head;
        this.split = split;
        this.hashes = new int[count];
        this.offsets = new int[count];
        this.lengths = new int[count];
        ByteBuffer in = ByteBuffer.wrap(head, FIXED, head.length - FIXED);
        in.asIntBuffer().get(hashes);
        in.position(in.position() + 4 * count).asIntBuffer().get(offsets);
        in.position(in.position() + 4 * count).asIntBuffer().get(lengths);
    }

    /** Reads the pack's first region from {@code jar}. */
    static ClassPack open(JarFile jar) throws IOException {
        JarEntry entry = jar.getJarEntry(ENTRY);
        if (entry == null) {
            throw new IOException(jar.getName() + " lacks " + ENTRY);
        }
        try (InputStream in = jar.getInputStream(entry)) {
            byte[] fixed = in.readNBytes(FIXED);
            ByteBuffer b = ByteBuffer.wrap(fixed);
            if (fixed.length < FIXED || b.getInt() != MAGIC) {
                throw new IOException(ENTRY + " is not a class pack");
            }
            int count = b.getInt();
            int split = b.getInt();
            long size = entry.getSize();
            if (count < 0 || split < FIXED + 12L * count || size >= 0 && split > size) {
                throw new IOException(ENTRY + " is damaged: " + count + " entries, libraries from " + split
                        + ", " + size + " bytes");
            }
            byte[] head = Arrays.copyOf(fixed, split);
            if (read(in, head, FIXED, split - FIXED) != split - FIXED) {
                throw new IOException(ENTRY + " is damaged: shorter than its first region");
            }
            return new ClassPack(jar, entry, head, split, count);
        }
    }

    /** The entry of a class by binary name ({@code dev.portmanager.PortManager}), or -1. */
    int find(String binaryName) {
        int hash = binaryName.hashCode();
        int i = Arrays.binarySearch(hashes, hash);
        if (i < 0) {
            return -1;
        }
        while (i > 0 && hashes[i - 1] == hash) {
            i--;
        }
        for (; i < hashes.length && hashes[i] == hash; i++) {
            if (nameAt(i).equals(binaryName)) {
                return i;
            }
        }
        return -1;
    }

    /** The array holding an entry's class bytes, from {@link #start}, {@link #length} long. */
    byte[] array(int entry) throws IOException {
        return offsets[entry] < split ? head : rest();
    }

    int start(int entry) throws IOException {
        int at = recordAt(entry);
        return at + 2 + nameLength(array(entry), at);
    }

    /** Where an entry's record starts in {@link #array}'s answer. */
    private int recordAt(int entry) {
        return offsets[entry] < split ? offsets[entry] : offsets[entry] - split;
    }

    int length(int entry) {
        return lengths[entry];
    }

    private synchronized byte[] rest() throws IOException {
        if (rest == null) {
            long size = entry.getSize();
            try (InputStream in = jar.getInputStream(entry)) {
                in.skipNBytes(split);
                rest = readAll(in, size < 0 ? -1 : size - split, ENTRY + " is damaged");
            }
        }
        return rest;
    }

    /**
     * The rest of {@code in}, {@code length} bytes when that is known (else -1), read into an array of that size
     * through {@link #read}; {@code what} names the source in the error when the stream ends sooner.
     */
    static byte[] readAll(InputStream in, long length, String what) throws IOException {
        if (length < 0 || length > Integer.MAX_VALUE) {
            return in.readAllBytes();
        }
        byte[] bytes = new byte[(int) length];
        if (read(in, bytes, 0, bytes.length) != bytes.length) {
            throw new IOException(what.concat(": shorter than its recorded size"));
        }
        return bytes;
    }

    /**
     * Reads {@code length} bytes (fewer at the end of the stream) in requests of at most {@link #CHUNK}; the count
     * read. Why not one request: for more than 8 KiB, JDK 17 reads through a native buffer it allocates and frees for
     * the call, and for the first region's 640 KB that is about 160 fresh pages every time: 2 ms of the app's start
     * where a fresh page costs 13 us (BENCHMARKS.md, "Memory touched"). Up to 8 KiB it reads through a buffer on the
     * stack. (JDK 25 reads a large request its own way; there it neither gains nor loses.)
     */
    private static int read(InputStream in, byte[] into, int offset, int length) throws IOException {
        int done = 0;
        while (done < length) {
            int n = in.read(into, offset + done, Math.min(CHUNK, length - done));
            if (n < 0) {
                break;
            }
            done += n;
        }
        return done;
    }

    private static int nameLength(byte[] region, int at) {
        return (region[at] & 0xff) << 8 | region[at + 1] & 0xff;
    }

    private String nameAt(int entry) {
        byte[] region;
        try {
            region = array(entry);
        } catch (IOException e) {
            return ""; // unreadable: not found here
        }
        int at = recordAt(entry);
        return new String(region, at + 2, nameLength(region, at), StandardCharsets.UTF_8);
    }

    /**
     * {@code ClassPack <pack file> <first region's classes directory> <libraries' classes directory>}: packs every
     * .class file under the two directories.
     */
    public static void main(String[] args) throws IOException {
        if (args.length != 3) {
            throw new IllegalArgumentException("usage: ClassPack <pack file> <first classes directory> "
                    + "<libraries' classes directory>");
        }
        List<String> names = new ArrayList<>();
        List<byte[]> classes = new ArrayList<>();
        collect(Path.of(args[1]), names, classes);
        int firstRegion = names.size();
        collect(Path.of(args[2]), names, classes);

        // Records in region order; the index by hash, then by name: the same pack for the same classes.
        Integer[] byHash = new Integer[names.size()];
        for (int i = 0; i < byHash.length; i++) {
            byHash[i] = i;
        }
        Arrays.sort(byHash, Comparator.<Integer>comparingInt(i -> names.get(i).hashCode()).thenComparing(names::get));
        int header = FIXED + 12 * names.size();
        int[] offsetOf = new int[names.size()];
        ByteArrayOutputStream records = new ByteArrayOutputStream();
        for (int i = 0; i < names.size(); i++) {
            byte[] name = names.get(i).getBytes(StandardCharsets.UTF_8);
            offsetOf[i] = header + records.size();
            records.write(name.length >> 8);
            records.write(name.length);
            records.write(name);
            records.write(classes.get(i));
        }
        int split = firstRegion < names.size() ? offsetOf[firstRegion] : header + records.size();
        try (DataOutputStream out = new DataOutputStream(Files.newOutputStream(Path.of(args[0])))) {
            out.writeInt(MAGIC);
            out.writeInt(names.size());
            out.writeInt(split);
            for (Integer i : byHash) {
                out.writeInt(names.get(i).hashCode());
            }
            for (Integer i : byHash) {
                out.writeInt(offsetOf[i]);
            }
            for (Integer i : byHash) {
                out.writeInt(classes.get(i).length);
            }
            records.writeTo(out);
        }
    }

    /** Adds the classes under {@code root} (binary names, bytes), in path order. */
    private static void collect(Path root, List<String> names, List<byte[]> classes) throws IOException {
        List<Path> files;
        try (Stream<Path> walk = Files.walk(root)) {
            files = walk.filter(p -> p.toString().endsWith(".class") && Files.isRegularFile(p)).sorted()
                    .collect(Collectors.toList());
        }
        for (Path file : files) {
            String relative = root.relativize(file).toString().replace(java.io.File.separatorChar, '/');
            names.add(relative.substring(0, relative.length() - ".class".length()).replace('/', '.'));
            classes.add(Files.readAllBytes(file));
        }
    }
}
