package dev.portmanager.config;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class EnvironmentNamesTest {
    @Test
    void settingKeysBecomeUpperSnakeVariables() {
        assertEquals("PORTMANAGER_STATE_DIR", EnvironmentNames.of("stateDir"));
        assertEquals("PORTMANAGER_REDIS_CA", EnvironmentNames.of("redisCa"));
        assertEquals("PORTMANAGER_SERVICE", EnvironmentNames.of("service"));
        assertEquals("PORTMANAGER_A_B", EnvironmentNames.of("a.b"));
    }
}
