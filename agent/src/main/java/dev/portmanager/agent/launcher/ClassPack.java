package dev.portmanager.agent.launcher;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The agent's own classes (the agent, the core, SnakeYAML, ASM) as one stored entry of the agent jar,
 * {@code inst/classes.pack}, read in one go when the agent's class loader starts. Why not one jar entry per class:
 * every JVM started with the agent loads about 80 of them before its app binds, and each entry costs a look-up in
 * the jar's directory, a stream and a copy, all in JDK code still interpreted that early (3-4 ms of CPU), while the
 * JVM also walks the whole directory in Java when it opens the jar (about 500 entries more).
 *
 * <p>Layout, big-endian: the magic {@code PMCP}; the entry count n; n hashes ({@code String.hashCode} of the binary
 * names, ascending); n record offsets; n class lengths; then the records, each the name's length (2 bytes), the name
 * (UTF-8) and the class bytes. A look-up is a binary search over the hashes and one name comparison; the class is
 * defined straight from the pack's array.
 *
 * <p>Written at build time by {@link #main} (agent/pom.xml runs it on the staged classes), read here: one class, so
 * that the format has a single definition.
 */
final class ClassPack {
    static final String ENTRY = "inst/classes.pack";
    private static final int MAGIC = 0x504d4350; // "PMCP"

    private final byte[] bytes;
    private final int[] hashes;
    private final int[] offsets;
    private final int[] lengths;

    ClassPack(byte[] bytes) throws IOException {
        ByteBuffer in = ByteBuffer.wrap(bytes);
        if (bytes.length < 8 || in.getInt() != MAGIC) {
            throw new IOException(ENTRY + " is not a class pack");
        }
        int count = in.getInt();
        if (count < 0 || 8 + 12L * count > bytes.length) {
            throw new IOException(ENTRY + " is damaged: " + count + " entries in " + bytes.length + " bytes");
        }
        this.bytes = bytes;
        this.hashes = new int[count];
        this.offsets = new int[count];
        this.lengths = new int[count];
        in.asIntBuffer().get(hashes);
        in.position(in.position() + 4 * count).asIntBuffer().get(offsets);
        in.position(in.position() + 4 * count).asIntBuffer().get(lengths);
    }

    /** The pack's array: {@link #start} and {@link #length} of an entry index into it. */
    byte[] bytes() {
        return bytes;
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

    int start(int entry) {
        return offsets[entry] + 2 + nameLength(entry);
    }

    int length(int entry) {
        return lengths[entry];
    }

    private int nameLength(int entry) {
        int at = offsets[entry];
        return (bytes[at] & 0xff) << 8 | bytes[at + 1] & 0xff;
    }

    private String nameAt(int entry) {
        return new String(bytes, offsets[entry] + 2, nameLength(entry), StandardCharsets.UTF_8);
    }

    /** {@code ClassPack <pack file> <classes directory>}: packs every .class file under the directory. */
    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            throw new IllegalArgumentException("usage: ClassPack <pack file> <classes directory>");
        }
        Path root = Path.of(args[1]);
        List<Path> files;
        try (Stream<Path> walk = Files.walk(root)) {
            files = walk.filter(p -> p.toString().endsWith(".class") && Files.isRegularFile(p))
                    .collect(java.util.stream.Collectors.toCollection(ArrayList::new));
        }
        List<String> names = new ArrayList<>();
        for (Path file : files) {
            String relative = root.relativize(file).toString().replace(java.io.File.separatorChar, '/');
            names.add(relative.substring(0, relative.length() - ".class".length()).replace('/', '.'));
        }
        Integer[] order = new Integer[names.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        // by hash, then by name: the same pack for the same classes, build after build
        Arrays.sort(order, Comparator.<Integer>comparingInt(i -> names.get(i).hashCode()).thenComparing(names::get));

        ByteArrayOutputStream records = new ByteArrayOutputStream();
        int[] hashes = new int[order.length];
        int[] offsets = new int[order.length];
        int[] lengths = new int[order.length];
        int header = 8 + 12 * order.length;
        for (int k = 0; k < order.length; k++) {
            String name = names.get(order[k]);
            byte[] nameBytes = name.getBytes(StandardCharsets.UTF_8);
            byte[] classBytes = Files.readAllBytes(files.get(order[k]));
            hashes[k] = name.hashCode();
            offsets[k] = header + records.size();
            lengths[k] = classBytes.length;
            records.write(nameBytes.length >> 8);
            records.write(nameBytes.length);
            records.write(nameBytes);
            records.write(classBytes);
        }
        try (DataOutputStream out = new DataOutputStream(Files.newOutputStream(Path.of(args[0])))) {
            out.writeInt(MAGIC);
            out.writeInt(order.length);
            for (int[] column : new int[][] {hashes, offsets, lengths}) {
                for (int value : column) {
                    out.writeInt(value);
                }
            }
            records.writeTo(out);
        }
    }
}
