package dev.portmanager.agent.launcher;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClassPackTest {
    @Test
    void everyClassUnderTheDirectoryIsFoundByItsBinaryNameWithItsBytes(@TempDir Path tmp) throws IOException {
        Map<String, byte[]> classes = new LinkedHashMap<>();
        classes.put("dev.portmanager.PortManager", bytes(700, 1));
        classes.put("dev.portmanager.host.Claim$OwnerLock", bytes(64, 2));
        classes.put("org.yaml.snakeyaml.Yaml", bytes(3000, 3));
        classes.put("Top", bytes(1, 4));
        // Two names with one String.hashCode: the look-up must compare names, not stop at the hash.
        classes.put("p.Aa", bytes(10, 5));
        classes.put("p.BB", bytes(11, 6));
        assertEquals("p.Aa".hashCode(), "p.BB".hashCode());
        Path dir = tmp.resolve("classes");
        for (Map.Entry<String, byte[]> c : classes.entrySet()) {
            Path file = dir.resolve(c.getKey().replace('.', '/') + ".class");
            Files.createDirectories(file.getParent());
            Files.write(file, c.getValue());
        }
        Files.writeString(dir.resolve("dev/portmanager/not-a-class.properties"), "x=1");

        Path packFile = tmp.resolve("classes.pack");
        ClassPack.main(new String[] {packFile.toString(), dir.toString()});
        ClassPack pack = new ClassPack(Files.readAllBytes(packFile));

        for (Map.Entry<String, byte[]> c : classes.entrySet()) {
            int entry = pack.find(c.getKey());
            assertTrue(entry >= 0, c.getKey());
            byte[] found = Arrays.copyOfRange(pack.bytes(), pack.start(entry), pack.start(entry) + pack.length(entry));
            assertArrayEquals(c.getValue(), found, c.getKey());
        }
        assertEquals(-1, pack.find("dev.portmanager.Missing"));
        assertEquals(-1, pack.find("dev.portmanager.not-a-class"));
        assertEquals(-1, pack.find("dev/portmanager/PortManager"), "binary names only");
    }

    @Test
    void theSameClassesMakeTheSamePack(@TempDir Path tmp) throws IOException {
        Path dir = tmp.resolve("classes");
        Files.createDirectories(dir.resolve("a/b"));
        for (int i = 0; i < 20; i++) {
            Files.write(dir.resolve("a/b/C" + i + ".class"), bytes(100 + i, i));
        }
        ClassPack.main(new String[] {tmp.resolve("one").toString(), dir.toString()});
        ClassPack.main(new String[] {tmp.resolve("two").toString(), dir.toString()});
        assertArrayEquals(Files.readAllBytes(tmp.resolve("one")), Files.readAllBytes(tmp.resolve("two")));
    }

    @Test
    void somethingElseIsRefusedWithItsName() {
        IOException notAPack = assertThrows(IOException.class,
                () -> new ClassPack("PK\u0003\u0004 a zip, not a pack".getBytes(StandardCharsets.ISO_8859_1)));
        assertTrue(notAPack.getMessage().contains("inst/classes.pack is not a class pack"), notAPack.getMessage());
        byte[] truncated = {0x50, 0x4d, 0x43, 0x50, 0, 0, 0, 9, 1, 2};
        IOException damaged = assertThrows(IOException.class, () -> new ClassPack(truncated));
        assertTrue(damaged.getMessage().contains("damaged: 9 entries in 10 bytes"), damaged.getMessage());
    }

    private static byte[] bytes(int length, int seed) {
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) {
            b[i] = (byte) (seed * 31 + i);
        }
        return b;
    }
}
