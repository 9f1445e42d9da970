package dev.portmanager.registry;

import dev.portmanager.config.ConfigException;
import dev.portmanager.testing.RedisServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;

import static dev.portmanager.registry.TestAllocations.listening;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Store URI parsing and credentials handling; the last tests use a real password-protected redis-server. */
class RedisStoreUriTest {

    @Test
    void acceptsTheDocumentedForms() {
        RedisStoreUri plain = RedisStoreUri.parse("redis://cache.internal");
        assertEquals("cache.internal", plain.host());
        assertEquals(6379, plain.port());
        assertEquals(0, plain.database());
        assertFalse(plain.tls());

        RedisStoreUri full = RedisStoreUri.parse("rediss://app:s3cret@cache.internal:6380/2");
        assertTrue(full.tls());
        assertTrue(full.hasCredentials());
        assertEquals(6380, full.port());
        assertEquals(2, full.database());
        assertEquals("rediss://cache.internal:6380/2", full.describe());

        assertEquals("redis://[::1]:7000/0", RedisStoreUri.parse("redis://:pw@[::1]:7000").describe());

        // Lettuce's sentinel syntax, over TLS too; schemes are case-insensitive
        RedisStoreUri sentinels = RedisStoreUri.parse("REDISS-SENTINEL://:s3cret@s1:26380,s2/3#pm-master");
        assertEquals(RedisStoreUri.Kind.SENTINEL, sentinels.kind());
        assertTrue(sentinels.tls());
        assertEquals("rediss-sentinel://s1:26380,s2:26379/3#pm-master", sentinels.describe());
        assertEquals("redis-sentinel://s1:26379/0#m", RedisStoreUri.parse("Redis-Sentinel://s1#m").describe());
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "http://s3cret@cache:6379",        // wrong scheme
            "cache:6379",                      // no scheme
            "redis://",                        // no host
            "redis://:s3cret@",                // no host, password only
            "redis://user:s3cret@cache:99999", // port out of range
            "redis://user:s3cret@cache:6379/x",// database not a number
            "redis://user:s3cret@cache:6379/1/2",
            "redis://user:s3cret@cache:6379#frag",
            "redis://user:s3cret@ca che:6379", // not a URI at all
            "redis-sentinal://:s3cret@s1:26379#m", // misspelled scheme
            "rediss-sentinel://:s3cret@s1:26379",  // no #master
            "rediss://:s3cret@a,b:6379",       // several hosts are for sentinels
            "redis://:s3/cret@cache:6379",     // reserved characters in the password, not encoded
            "redis://:s3?cret@cache:6379",
            "redis://:s3#cret@cache:6379",
            "redis://:s3@cret@cache:6379/",
            "  ",
    })
    void rejectsMalformedUrisSayingWhatIsAcceptedWithoutThePassword(String uri) {
        ConfigException e = assertThrows(ConfigException.class, () -> RedisStoreUri.parse(uri));
        assertTrue(e.getMessage().contains("Accepted: redis://"), e.getMessage());
        assertFalse(e.getMessage().contains("s3cret"), e.getMessage());
    }

    @Test
    void theRegistryRejectsABadUriBeforeCreatingAClient() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> new RedisRegistry("redis://u:s3cret@cache:6379/notadb", "portmanager", 1000));
        assertTrue(e.getMessage().contains("database number"), e.getMessage());
        assertFalse(e.getMessage().contains("s3cret"), e.getMessage());
        assertThrows(ConfigException.class, () -> new RedisRegistry("redis://cache", " ", 1000));
    }

    @Test
    void redactHidesUserInfoEvenInGarbage() {
        assertEquals("redis://***@host:1/0", RedisStoreUri.redact("redis://u:p@ss@host:1/0"));
        assertEquals("redis://host", RedisStoreUri.redact("redis://host"));
        assertEquals("***@host", RedisStoreUri.redact("user:pw@host"));
    }

    @Test
    void passwordAndAclUserAreUsedButNeverShown() {
        List<String> args = List.of("--requirepass", "s3cret",
                "--user", "alice", "on", ">w0nderland", "~*", "&*", "+@all");
        try (RedisServer redis = RedisServer.launch(args)) {
            String base = "127.0.0.1:" + redis.port();
            try (RedisRegistry withPassword = new RedisRegistry("redis://:s3cret@" + base, "pm", 30_000)) {
                withPassword.publish(listening(8085, "svc", 1, 100, 30_000));
                assertEquals("redis://" + base + "/0", withPassword.describe());
            }
            try (RedisRegistry asAlice = new RedisRegistry("redis://alice:w0nderland@" + base + "/1", "pm", 30_000)) {
                asAlice.publish(listening(8085, "svc", 1, 100, 30_000));
                assertEquals(1, asAlice.lookup("svc").size());
            }
            try (RedisRegistry wrong = new RedisRegistry("redis://alice:b4d-guess@" + base, "pm", 30_000)) {
                RegistryUnavailableException e = assertThrows(RegistryUnavailableException.class,
                        () -> wrong.lookup("svc"));
                assertFalse(e.getMessage().contains("b4d-guess"), e.getMessage());
                assertTrue(e.getMessage().contains(base), e.getMessage());
            }
        }
    }
}
