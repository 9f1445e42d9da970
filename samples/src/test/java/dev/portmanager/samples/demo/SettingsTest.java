package dev.portmanager.samples.demo;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

class SettingsTest {
    private static final Path HOME = Path.of("/repo");
    private static final Path STATE = Path.of("/tmp/state");

    @Test
    void membersShareTheStateAndStoreAndByDefaultTheConfigOfThisProcess() {
        Map<String, String> env = new Settings(HOME, STATE, "embedded", Path.of("/tmp/run")).env();
        assertEquals(Map.of("PORTMANAGER_STATE_DIR", "/tmp/state", "PORTMANAGER_STORE", "embedded"), env);
        assertFalse(env.containsKey("XDG_CONFIG_HOME"), "inherited, not set");
    }

    @Test
    void aConfigHomeOfTheirOwnAlsoDropsAConfigFileNamedByThisProcess() {
        Settings settings = new Settings(HOME, STATE, "embedded", Path.of("/tmp/run"), Path.of("/tmp/config"));
        Map<String, String> child = new HashMap<>(Map.of("PORTMANAGER_CONFIG", "/home/dev/pm.yaml", "PATH", "/bin"));
        settings.applyTo(child);
        assertEquals("/tmp/config", child.get("XDG_CONFIG_HOME"));
        assertFalse(child.containsKey("PORTMANAGER_CONFIG"), "removed, not blank: the agent refuses a blank one");
        assertEquals("/bin", child.get("PATH"));
    }

    @Test
    void withoutAConfigHomeAnInheritedConfigFileStays() {
        Map<String, String> child = new HashMap<>(Map.of("PORTMANAGER_CONFIG", "/home/dev/pm.yaml"));
        new Settings(HOME, STATE, "embedded", Path.of("/tmp/run")).applyTo(child);
        assertEquals("/home/dev/pm.yaml", child.get("PORTMANAGER_CONFIG"));
        assertEquals("/tmp/state", child.get("PORTMANAGER_STATE_DIR"));
    }
}
