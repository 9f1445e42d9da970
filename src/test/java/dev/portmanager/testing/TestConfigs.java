package dev.portmanager.testing;

import dev.portmanager.config.PortManagerConfig;
import dev.portmanager.config.PortRange;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Configurations for tests: the real rules on ranges placed in a block of ports that nothing on the machine
 * listens on, found at run time, so that tests do not collide with the host's own services or each other.
 */
public final class TestConfigs {
    private TestConfigs() {
    }

    /**
     * Three small ranges (ml, cache at priority 1, and the dynamic pool) inside a free 300-port block, with a
     * short cool-down so tests can wait it out.
     */
    public static PortManagerConfig smallRanges(Path stateDir) {
        int base = freeBlock(300);
        Map<String, PortRange> ranges = new LinkedHashMap<>();
        ranges.put("cache", new PortRange("cache", "system-cache", base, base + 49, 1));
        ranges.put("ml", new PortRange("ml", "ml-services", base + 100, base + 149, 2));
        ranges.put("bridge", new PortRange("bridge", "bridge-services", base + 150, base + 199, 2));
        ranges.put("dynamic", new PortRange("dynamic", "dynamic-pool", base + 200, base + 299, 4));
        return PortManagerConfig.defaults().withRanges(ranges).withServices(Map.of()).withStateDir(stateDir)
                .withCooldown(Duration.ofMillis(1500)).withHost("test-host");
    }

    /** The first port of a block of {@code size} ports below the ephemeral range in which nothing listens now. */
    public static int freeBlock(int size) {
        for (int attempt = 0; attempt < 50; attempt++) {
            int base = 12000 + (int) (Math.random() * 18000);
            base -= base % 100;
            if (base + size < 32768 && nothingListens(base, size)) {
                return base;
            }
        }
        throw new IllegalStateException("no free block of " + size + " ports found");
    }

    private static boolean nothingListens(int base, int size) {
        for (int p = base; p < base + size; p += 7) {
            try (ServerSocket s = new ServerSocket(p)) {
                s.setReuseAddress(true);
            } catch (IOException e) {
                return false;
            }
        }
        return true;
    }
}
