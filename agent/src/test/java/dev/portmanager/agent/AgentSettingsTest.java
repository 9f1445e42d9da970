package dev.portmanager.agent;

import dev.portmanager.AllocationRequest;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AgentSettingsTest {
    private static Properties props(String... keyValues) {
        Properties p = new Properties();
        for (int i = 0; i < keyValues.length; i += 2) {
            p.setProperty(keyValues[i], keyValues[i + 1]);
        }
        return p;
    }

    @Test
    void argumentsBeatSystemPropertiesWhichBeatTheEnvironment() {
        AgentSettings s = AgentSettings.resolve("service=from-args",
                props("portmanager.service", "from-prop", "portmanager.type", "gateway"),
                Map.of("PORTMANAGER_SERVICE", "from-env", "PORTMANAGER_TYPE", "ml", "PORTMANAGER_STATE_DIR", "/tmp/s"));
        assertEquals("from-args", s.service);
        assertEquals("gateway", s.type);
        assertEquals(Path.of("/tmp/s"), s.stateDir);
        assertEquals("$PORTMANAGER_STATE_DIR", s.sources.get("stateDir"));
    }

    @Test
    void everyKeyParses() {
        AgentSettings s = AgentSettings.resolve("service=emotion,type=ml,instance=emotion-2,preferred=8080=8301;8081=8302,"
                + "mode=strict,store=redis://localhost:6379/2,host=box1,advertise=10.0.0.5,lease=45s,"
                + "manage=8080;8081;9000-9002,ignore=9001,endpoints=8080=http;8081=admin,fail=closed,"
                + "stateDir=/var/lib/pm,config=/etc/pm.yaml", new Properties(), Map.of());
        assertEquals(AllocationRequest.Mode.STRICT, s.mode);
        assertEquals(8301, s.preferredFor(8080));
        assertEquals(9000, s.preferredFor(9000));
        assertEquals("redis://localhost:6379/2", s.store);
        assertEquals(Duration.ofSeconds(45), s.lease);
        assertTrue(s.manages(8080) && s.manages(9002) && s.manages(0));
        assertFalse(s.manages(9001), "ignore wins over manage");
        assertFalse(s.manages(7000), "not in the manage list");
        assertEquals("http", s.endpointFor(8080));
        assertEquals("9000", s.endpointFor(9000));
        assertTrue(s.failClosed);
    }

    @Test
    void routesComeFromEverySourceAndAreNeverABadValueOfTheWholeAgent() {
        AgentSettings fromEnv = AgentSettings.resolve("service=gw", new Properties(),
                Map.of("PORTMANAGER_ROUTES", "8085@com.acme.voice=voice"));
        assertEquals("8085@com.acme.voice=voice", fromEnv.routes);
        assertEquals("$PORTMANAGER_ROUTES", fromEnv.routesSource());
        AgentSettings fromProperty = AgentSettings.resolve("service=gw", props("portmanager.routes", "not a route"),
                Map.of("PORTMANAGER_ROUTES", "8085=voice"));
        assertEquals("not a route", fromProperty.routes, "kept as given: checked item by item later");
        assertEquals("-Dportmanager.routes", fromProperty.routesSource());
        assertEquals("8088=emotion", AgentSettings.resolve("routes=8088=emotion", new Properties(), Map.of()).routes);
        assertNull(AgentSettings.resolve("service=gw", new Properties(), Map.of()).routes);
    }

    @Test
    void oneRequestedPortForAllAndDefaults() {
        AgentSettings s = AgentSettings.resolve("preferred=8301", new Properties(), Map.of());
        assertEquals(8301, s.preferredFor(8080));
        assertNull(s.service);
        assertTrue(s.manages(1234));
        assertFalse(s.failClosed);
        assertEquals(AllocationRequest.Mode.PREFERRED, s.mode);
    }

    @Test
    void jmxPortsAreNeverManaged() {
        AgentSettings s = AgentSettings.resolve("", props("com.sun.management.jmxremote.port", "9010",
                "com.sun.management.jmxremote.rmi.port", "9011"), Map.of());
        assertFalse(s.manages(9010));
        assertFalse(s.manages(9011));
        assertTrue(s.manages(9012));
    }

    @Test
    void unknownKeyNamesItAndTheAcceptedKeys() {
        SettingsException e = assertThrows(SettingsException.class,
                () -> AgentSettings.resolve("service=a,sevrice=b", new Properties(), Map.of()));
        assertTrue(e.getMessage().startsWith("unknown agent argument 'sevrice': accepted keys are service, type"),
                e.getMessage());
    }

    @Test
    void aBadStoreIsShownWithoutItsPasswordFromEverySource() {
        String bad = "rediss//app:Kq7v%2FWm3x@cache:6379";
        for (SettingsException e : List.of(
                assertThrows(SettingsException.class, () -> AgentSettings.resolve("store=" + bad, new Properties(),
                        Map.of())),
                assertThrows(SettingsException.class, () -> AgentSettings.resolve("", props("portmanager.store", bad),
                        Map.of())),
                assertThrows(SettingsException.class, () -> AgentSettings.resolve("", new Properties(),
                        Map.of("PORTMANAGER_STORE", bad))))) {
            assertTrue(e.getMessage().startsWith("bad value '***@cache:6379' for "), e.getMessage());
            assertTrue(!e.getMessage().contains("Kq7v") && !e.getMessage().contains("Wm3x"), e.getMessage());
        }
        // the scheme is case-insensitive; the whole URI is checked on the opener thread, off premain
        assertEquals("REDIS-SENTINEL://h:26379#m", AgentSettings.resolve("", props("portmanager.store",
                "REDIS-SENTINEL://h:26379#m"), Map.of()).store);
    }

    @Test
    void redisCaAndAtLeastASecondOfLease() {
        AgentSettings s = AgentSettings.resolve("redisCa=/etc/pm/ca.pem,lease=1s", new Properties(), Map.of());
        assertEquals(java.nio.file.Path.of("/etc/pm/ca.pem"), s.redisCa);
        assertEquals(java.time.Duration.ofSeconds(1), s.lease);
        assertTrue(assertThrows(SettingsException.class, () -> AgentSettings.resolve("lease=999ms",
                new Properties(), Map.of())).getMessage().contains("at least 1s"));
        assertTrue(assertThrows(SettingsException.class, () -> AgentSettings.resolve("lease=99999999999d",
                new Properties(), Map.of())).getMessage().contains("at most 3650d"));
    }

    @Test
    void includeAndExcludeAreAcceptedFromEverySourceAndABadGlobIsOneLineNamingTheSyntax() {
        AgentSettings.resolve("include=com.acme.*;legacy-*.jar", props("portmanager.exclude", "{a,b}.Main"),
                Map.of("PORTMANAGER_EXCLUDE", "*"));
        assertEquals("bad value 'ok.*;com.acme.[Main' for $PORTMANAGER_EXCLUDE: expected " + AgentSettings.GLOBS,
                assertThrows(SettingsException.class, () -> AgentSettings.resolve("", new Properties(),
                        Map.of("PORTMANAGER_EXCLUDE", "ok.*;com.acme.[Main"))).getMessage());
        assertEquals("bad value 'x{' for agent argument include: expected " + AgentSettings.GLOBS,
                assertThrows(SettingsException.class, () -> AgentSettings.resolve("include=x{",
                        new Properties(), Map.of())).getMessage());
    }

    @Test
    void badValuesNameTheSourceAndTheAcceptedForms() {
        assertEquals("bad value 'sometimes' for -Dportmanager.mode: expected preferred or strict",
                assertThrows(SettingsException.class, () -> AgentSettings.resolve("",
                        props("portmanager.mode", "sometimes"), Map.of())).getMessage());
        assertTrue(assertThrows(SettingsException.class, () -> AgentSettings.resolve("lease=soon",
                new Properties(), Map.of())).getMessage().contains("agent argument lease"));
        assertTrue(assertThrows(SettingsException.class, () -> AgentSettings.resolve("ignore=70000",
                new Properties(), Map.of())).getMessage().contains("ports and ranges"));
        assertTrue(assertThrows(SettingsException.class, () -> AgentSettings.resolve("store=memcached://x",
                new Properties(), Map.of())).getMessage().contains("embedded, or a redis://"));
        assertTrue(assertThrows(SettingsException.class, () -> AgentSettings.resolve("service=bad name!",
                new Properties(), Map.of())).getMessage().contains("letters, digits"));
        assertTrue(assertThrows(SettingsException.class, () -> AgentSettings.resolve("mode",
                new Properties(), Map.of())).getMessage().contains("has no value"));
    }

    @Test
    void failClosedIsKnownEvenWhenParsingFails() {
        assertTrue(AgentSettings.failClosedRequested("bogus,fail=closed", new Properties(), Map.of()));
        assertTrue(AgentSettings.failClosedRequested("", props("portmanager.fail", "closed"), Map.of()));
        assertTrue(AgentSettings.failClosedRequested(null, new Properties(), Map.of("PORTMANAGER_FAIL", "closed")));
        assertFalse(AgentSettings.failClosedRequested("fail=open", props("portmanager.fail", "closed"), Map.of()));
    }

    @Test
    void serviceNameComesFromTheJarOrMainClass() {
        assertEquals("legacy-emotion", ServiceNames.fromCommand("/opt/app/legacy-emotion-1.4.2.jar --port 8088"));
        assertEquals("legacy-emotion", ServiceNames.fromCommand("legacy-emotion.jar"));
        assertEquals("EmotionServer", ServiceNames.fromCommand("com.acme.EmotionServer 8088"));
        assertTrue(ServiceNames.fromCommand("").startsWith("java-"));
    }

    @Test
    void timeoutIsAPositiveDurationAndDefaultsToTenSeconds() {
        assertEquals(Duration.ofSeconds(10), AgentSettings.resolve("", new Properties(), Map.of()).timeout);
        assertEquals(Duration.ofMillis(1500), AgentSettings.resolve("timeout=1500ms", new Properties(), Map.of()).timeout);
        SettingsException zero = assertThrows(SettingsException.class,
                () -> AgentSettings.resolve("timeout=0s", new Properties(), Map.of()));
        assertTrue(zero.getMessage().contains("'0s'") && zero.getMessage().contains("agent argument timeout"),
                zero.getMessage());
    }
}
