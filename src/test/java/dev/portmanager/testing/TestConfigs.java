package dev.portmanager.testing;

import dev.portmanager.config.PortManagerConfig;
import dev.portmanager.config.PortRange;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Configurations for tests: the real rules on ranges placed in ports of this JVM's own block, in which nothing on
 * the machine listens, so that tests do not collide with the host's own services, each other or another build.
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

    /**
     * The first port of {@code size} consecutive ports in which nothing listens now, from this JVM's own block
     * ({@link PortBlock}): another build's tests on the host never get the same ports.
     */
    public static int freeBlock(int size) {
        return PortBlock.take(size);
    }
}
