package dev.portmanager.samples.fleet;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The fleet, the gateway included, is legacy code: no class of it refers to any PortManager class (a class file
 * names every class it uses in its constant pool, so a reference would show there as {@code dev/portmanager/...}).
 */
class FleetIsLegacyTest {
    private static final String OURS = "dev/portmanager/";
    private static final String FLEET = "dev/portmanager/samples/fleet/";

    @Test
    void noFleetClassRefersToPortManager() throws IOException, URISyntaxException {
        Path root = Path.of(GoApiGateway.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Path fleet = root.resolve(FLEET);
        List<String> offenders = new ArrayList<>();
        int classes = 0;
        try (Stream<Path> files = Files.walk(fleet)) {
            for (Path f : (Iterable<Path>) files.filter(p -> p.toString().endsWith(".class"))::iterator) {
                classes++;
                String text = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
                for (int i = text.indexOf(OURS); i >= 0; i = text.indexOf(OURS, i + 1)) {
                    if (!text.startsWith(FLEET, i)) {
                        int end = i;
                        while (end < text.length() && text.charAt(end) > ' ' && text.charAt(end) != ';') {
                            end++;
                        }
                        offenders.add(root.relativize(f) + " -> " + text.substring(i, end));
                    }
                }
            }
        }
        assertTrue(classes >= 12, "found only " + classes + " fleet classes under " + fleet);
        assertEquals(List.of(), offenders, "fleet classes refer to PortManager");
    }
}
