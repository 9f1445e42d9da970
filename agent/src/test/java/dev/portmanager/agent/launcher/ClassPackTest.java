package dev.portmanager.agent.launcher;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClassPackTest {
    @Test
    void everyClassOfBothRegionsIsFoundByItsBinaryNameWithItsBytes(@TempDir Path tmp) throws IOException {
        Map<String, byte[]> first = new LinkedHashMap<>();
        // Longer than one read (8 KiB): they come in pieces and must come whole.
        first.put("dev.portmanager.PortManager", bytes(2 * 8192 + 700, 1));
        first.put("dev.portmanager.host.Claim$OwnerLock", bytes(64, 2));
        first.put("Top", bytes(1, 4));
        // Two names with one String.hashCode: the look-up must compare names, not stop at the hash.
        first.put("p.Aa", bytes(10, 5));
        Map<String, byte[]> libraries = new LinkedHashMap<>();
        libraries.put("org.yaml.snakeyaml.Yaml", bytes(8192 + 3000, 3));
        libraries.put("p.BB", bytes(11, 6));
        assertEquals("p.Aa".hashCode(), "p.BB".hashCode());

        try (JarFile jar = jarWithPack(tmp, first, libraries)) {
            ClassPack pack = ClassPack.open(jar);
            byte[] firstRegion = pack.array(pack.find("dev.portmanager.PortManager"));
            for (Map<String, byte[]> region : List.of(first, libraries)) {
                for (Map.Entry<String, byte[]> c : region.entrySet()) {
                    int entry = pack.find(c.getKey());
                    assertTrue(entry >= 0, c.getKey());
                    byte[] array = pack.array(entry);
                    assertArrayEquals(c.getValue(),
                            Arrays.copyOfRange(array, pack.start(entry), pack.start(entry) + pack.length(entry)),
                            c.getKey());
                    if (region == first) {
                        assertSame(firstRegion, array, c.getKey() + " is read with the first region");
                    } else {
                        assertNotSame(firstRegion, array, c.getKey() + " is read with the libraries");
                    }
                }
            }
            assertEquals(-1, pack.find("dev.portmanager.Missing"));
            assertEquals(-1, pack.find("dev.portmanager.not-a-class"));
            assertEquals(-1, pack.find("dev/portmanager/PortManager"), "binary names only");
        }
    }

    @Test
    void theSameClassesMakeTheSamePack(@TempDir Path tmp) throws IOException {
        Map<String, byte[]> classes = new LinkedHashMap<>();
        for (int i = 0; i < 20; i++) {
            classes.put("a.b.C" + i, bytes(100 + i, i));
        }
        Path one = pack(tmp.resolve("one"), classes, Map.of());
        Path two = pack(tmp.resolve("two"), classes, Map.of());
        assertArrayEquals(Files.readAllBytes(one), Files.readAllBytes(two));
    }

    @Test
    void somethingElseIsRefusedWithItsName(@TempDir Path tmp) throws IOException {
        Path notAPack = tmp.resolve("not-a-pack");
        Files.writeString(notAPack, "PK\u0003\u0004 a zip, not a pack", StandardCharsets.ISO_8859_1);
        try (JarFile jar = jarWith(tmp.resolve("a.jar"), notAPack)) {
            IOException e = assertThrows(IOException.class, () -> ClassPack.open(jar));
            assertTrue(e.getMessage().contains("inst/classes.pack is not a class pack"), e.getMessage());
        }
        Path truncated = tmp.resolve("truncated");
        Files.write(truncated, new byte[] {0x50, 0x4d, 0x43, 0x50, 0, 0, 0, 9, 0, 0, 0, 12, 1, 2});
        try (JarFile jar = jarWith(tmp.resolve("b.jar"), truncated)) {
            IOException e = assertThrows(IOException.class, () -> ClassPack.open(jar));
            assertTrue(e.getMessage().contains("is damaged: 9 entries"), e.getMessage());
        }
    }

    private static JarFile jarWithPack(Path tmp, Map<String, byte[]> first, Map<String, byte[]> libraries)
            throws IOException {
        Path packFile = pack(tmp.resolve("classes.pack"), first, libraries);
        return jarWith(tmp.resolve("agent.jar"), packFile);
    }

    /** Packs the classes (as the build does: one directory per region, plus a file that is not a class). */
    private static Path pack(Path packFile, Map<String, byte[]> first, Map<String, byte[]> libraries)
            throws IOException {
        Path dirs = Files.createTempDirectory(packFile.getParent(), "classes");
        Path firstDir = write(dirs.resolve("first"), first);
        Path librariesDir = write(dirs.resolve("libraries"), libraries);
        Files.writeString(firstDir.resolve("not-a-class.properties"), "x=1");
        ClassPack.main(new String[] {packFile.toString(), firstDir.toString(), librariesDir.toString()});
        return packFile;
    }

    private static Path write(Path dir, Map<String, byte[]> classes) throws IOException {
        Files.createDirectories(dir);
        for (Map.Entry<String, byte[]> c : classes.entrySet()) {
            Path file = dir.resolve(c.getKey().replace('.', '/') + ".class");
            Files.createDirectories(file.getParent());
            Files.write(file, c.getValue());
        }
        return dir;
    }

    private static JarFile jarWith(Path jar, Path packFile) throws IOException {
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
            out.putNextEntry(new JarEntry(ClassPack.ENTRY));
            out.write(Files.readAllBytes(packFile));
            out.closeEntry();
        }
        return new JarFile(jar.toFile(), false);
    }

    /** Bytes that never repeat with a period a misplaced read could hide behind (as {@code i % 256} would). */
    private static byte[] bytes(int length, int seed) {
        byte[] b = new byte[length];
        new Random(seed).nextBytes(b);
        return b;
    }
}
