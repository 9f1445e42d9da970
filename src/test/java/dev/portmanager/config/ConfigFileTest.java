package dev.portmanager.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConfigFileTest {
    @TempDir
    Path dir;

    private Path write(String yaml) throws IOException {
        Path f = dir.resolve("portmanager.yaml");
        Files.writeString(f, yaml);
        return f;
    }

    private String errorOf(String yaml) throws IOException {
        Path f = write(yaml);
        return assertThrows(ConfigException.class, () -> ConfigFile.load(f)).getMessage();
    }

    @Test
    void defaultsHoldTheDesignTable() {
        PortManagerConfig c = PortManagerConfig.defaults();
        assertEquals(10, c.ranges().size());
        assertEquals(new PortRange("ml", "ml-services", 8300, 8499, 2), c.ranges().get("ml"));
        assertEquals(1, c.ranges().get("database").priority());
        assertEquals(4, c.ranges().get("dynamic").priority());
        assertEquals(8085, c.services().get("hrm-mlx-service").preferredPort());
        assertEquals(c.ranges().get("dynamic"), c.rangeFor("legacy"), "legacy maps to the dynamic pool");
    }

    @Test
    void fileOverridesRangesAddsTypesAndServices() throws IOException {
        Path f = write("""
                stateDir: /tmp/pm-state
                store: redis://127.0.0.1:6390/2
                lease: 45s
                cooldown: 2s
                ranges:
                  ml: { start: 8300, end: 8399 }
                  llm: { start: 12000, end: 12099, priority: 2, name: llm-services }
                services:
                  emotion: { type: ml, preferred: 8088, healthPath: /health }
                  router: { type: llm }
                """);
        PortManagerConfig c = ConfigFile.load(f);
        assertEquals(8399, c.ranges().get("ml").end());
        assertEquals(2, c.ranges().get("ml").priority(), "unnamed fields keep the default");
        assertEquals("llm-services", c.ranges().get("llm").name());
        assertEquals("/health", c.services().get("emotion").healthPath());
        assertEquals(Path.of("/tmp/pm-state"), c.stateDir());
        assertTrue(c.usesRedis());
        assertEquals(Duration.ofSeconds(45), c.lease());
        assertEquals(8085, c.services().get("hrm-mlx-service").preferredPort(), "defaults stay");
    }

    @Test
    void unknownKeyNamesFileLineAndAcceptedKeys() throws IOException {
        String msg = errorOf("lease: 30s\nrange:\n  ml: {start: 1, end: 2}\n");
        assertTrue(msg.contains("portmanager.yaml:2:"), msg);
        assertTrue(msg.contains("unknown key 'range'"), msg);
        assertTrue(msg.contains("ranges"), msg);
    }

    @Test
    void overlappingRangesAreRejectedWithBothNamed() throws IOException {
        String msg = errorOf("ranges:\n  llm: { start: 8400, end: 8450 }\n");
        assertTrue(msg.contains(":2:"), msg);
        assertTrue(msg.contains("llm 8400-8450 overlaps range ml 8300-8499"), msg);
    }

    @Test
    void startAfterEndIsRejected() throws IOException {
        String msg = errorOf("ranges:\n  ml:\n    start: 9000\n    end: 8000\n");
        assertTrue(msg.contains("start 9000 > end 8000"), msg);
        assertTrue(msg.contains(":3:"), msg);
    }

    @Test
    void portOutsideValidRangeIsRejected() throws IOException {
        String msg = errorOf("ranges:\n  llm: { start: 70000, end: 70010 }\n");
        assertTrue(msg.contains("start '70000' is out of range; accepted: a whole number from 1 to 65535"), msg);
        assertTrue(msg.contains(":2:"), msg);
    }

    @Test
    void serviceWhoseTypeHasNoRangeIsRejected() throws IOException {
        String msg = errorOf("services:\n  emotion: { type: nlp, preferred: 8088 }\n");
        assertTrue(msg.contains(":2:"), msg);
        assertTrue(msg.contains("type 'nlp', which has no range"), msg);
    }

    @Test
    void badDurationAndStoreAndSyntaxAreExplained() throws IOException {
        assertTrue(errorOf("lease: soon\n").contains("a number followed by ms, s, m, h or d"));
        assertTrue(errorOf("store: mysql://x\n").contains("expected embedded, redis://"));
        String syntax = errorOf("ranges:\n  ml: { start: 1\n");
        assertTrue(syntax.contains("not valid YAML"), syntax);
        assertTrue(errorOf("lease: 1s\nlease: 2s\n").contains(":2:"), "duplicate keys are reported");
    }

    @Test
    void environmentWinsOverTheFile() throws IOException {
        PortManagerConfig fromFile = ConfigFile.load(write("stateDir: /from/file\nstore: embedded\n"));
        PortManagerConfig c = ConfigFile.withEnvironment(fromFile,
                java.util.Map.of("PORTMANAGER_STATE_DIR", "/from/env", "PORTMANAGER_STORE", "redis://127.0.0.1:1/0"));
        assertEquals(Path.of("/from/env"), c.stateDir());
        assertEquals("redis://127.0.0.1:1/0", c.store());
        ConfigException bad = assertThrows(ConfigException.class,
                () -> ConfigFile.withEnvironment(fromFile, java.util.Map.of("PORTMANAGER_STORE", "mysql://x")));
        assertTrue(bad.getMessage().contains("expected embedded, redis://"), bad.getMessage());
    }

    @Test
    void systemPropertiesWinOverTheEnvironmentWhichWinsOverTheFile() throws IOException {
        PortManagerConfig fromFile = ConfigFile.load(write("stateDir: /from/file\nhost: file-host\nlease: 9s\n"));
        java.util.Properties props = new java.util.Properties();
        props.setProperty("portmanager.stateDir", "/from/property");
        PortManagerConfig c = SettingOverrides.apply(fromFile, props, java.util.Map.of(
                "PORTMANAGER_STATE_DIR", "/from/env", "PORTMANAGER_HOST", "env-host"));
        assertEquals(Path.of("/from/property"), c.stateDir());
        assertEquals("env-host", c.host());
        assertEquals(java.time.Duration.ofSeconds(9), c.lease(), "the file's, where nothing overrides it");
        ConfigException bad = assertThrows(ConfigException.class,
                () -> SettingOverrides.apply(fromFile, new java.util.Properties(), java.util.Map.of("PORTMANAGER_LEASE", "soon")));
        assertTrue(bad.getMessage().startsWith("PORTMANAGER_LEASE: "), bad.getMessage());
    }

    @Test
    void aTildeMeansHomeFromTheEnvironment() throws IOException {
        PortManagerConfig c = ConfigFile.load(write("stateDir: ~/pm-state\n"));
        assertEquals(UserHome.get().resolve("pm-state"), c.stateDir());
        String home = System.getenv("HOME");
        if (home != null && !home.isBlank()) {
            assertEquals(Path.of(home), UserHome.get());
        }
    }

    @Test
    void missingFileIsExplained() {
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigFile.load(dir.resolve("nope.yaml")));
        assertTrue(e.getMessage().contains("nope.yaml: config file not found"), e.getMessage());
    }

    @Test
    void durationsRoundTrip() {
        assertEquals(Duration.ofMillis(500), Durations.parse("500ms"));
        assertEquals(Duration.ofHours(1), Durations.parse("1h"));
        assertEquals("90s", Durations.format(Duration.ofSeconds(90)));
        assertThrows(IllegalArgumentException.class, () -> Durations.parse("10"));
        assertThrows(IllegalArgumentException.class, () -> Durations.parse("-1s"));
    }
}
