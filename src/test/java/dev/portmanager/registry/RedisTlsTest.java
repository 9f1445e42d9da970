package dev.portmanager.registry;

import dev.portmanager.testing.RedisCluster;
import dev.portmanager.testing.RedisSentinels;
import dev.portmanager.testing.RedisServer;
import dev.portmanager.testing.TestCertificates;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static dev.portmanager.registry.TestAllocations.listening;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code rediss://} against a real redis-server serving TLS with a certificate from a throwaway CA, and an ACL user
 * that may touch PortManager's keys only (and not run INFO, so the cluster check must cope without it).
 */
class RedisTlsTest {
    private static final String PASSWORD = "t/l?s#p@ss";
    private static final String ENCODED = "t%2Fl%3Fs%23p%40ss";

    @TempDir
    static Path certDir;
    private static TestCertificates certs;
    private static RedisServer redis;
    private static int tlsPort;

    @BeforeAll
    static void start() {
        certs = TestCertificates.create(certDir);
        tlsPort = RedisServer.freePort();
        List<String> args = new ArrayList<>(certs.redisTlsArgs(tlsPort));
        args.addAll(List.of("--user", "pm", "on", ">" + PASSWORD, "~{portmanager}:*", "&*", "+@all",
                "-@dangerous"));
        redis = RedisServer.launch(args);
    }

    @AfterAll
    static void stop() {
        if (redis != null) {
            redis.close();
        }
    }

    private static String uri(String host) {
        return "rediss://pm:" + ENCODED + "@" + host + ":" + tlsPort;
    }

    @Test
    void anAclUserOverTlsWithTheCaFromRedisCa() {
        try (RedisRegistry registry = new RedisRegistry(uri("127.0.0.1"), "portmanager", 30_000, certs.ca())) {
            registry.publish(listening(8085, "svc", 1, 100, 30_000));
            assertEquals(List.of(8085), registry.lookup("svc").stream().map(a -> a.port()).toList());
            assertFalse(registry.isCluster(), "INFO is refused to this user: a plain server is assumed");
            assertEquals("rediss://127.0.0.1:" + tlsPort + "/0", registry.describe());
        }
        // the certificate names localhost too, and host names are verified like addresses
        try (RedisRegistry byName = new RedisRegistry(uri("localhost"), "portmanager", 30_000, certs.ca())) {
            assertEquals(1, byName.lookup("svc").size());
        }
    }

    @Test
    void theServerCertificateIsVerifiedByDefault() {
        // the JVM's trust store does not know the test CA
        assertRefusedClearly(null);
    }

    @Test
    void aCaThatDidNotSignTheServerCertificateIsRefused() {
        assertRefusedClearly(certs.otherCa());
    }

    private static void assertRefusedClearly(Path ca) {
        try (RedisRegistry registry = new RedisRegistry(uri("127.0.0.1"), "portmanager", 30_000, ca)) {
            RegistryUnavailableException e = assertThrows(RegistryUnavailableException.class,
                    () -> registry.publish(listening(8085, "svc", 1, 100, 30_000)));
            assertTrue(e.getMessage().contains("TLS handshake failed"), e.getMessage());
            assertTrue(e.getMessage().contains("redisCa"), e.getMessage());
            assertFalse(e.getMessage().contains(PASSWORD) || e.getMessage().contains(ENCODED), e.getMessage());
        }
    }

    @Test
    void theAclUserCannotTouchOtherKeysSoItsLimitsHold() {
        // PortManager's keys only: a prefix outside the user's key pattern is refused, with the reason
        try (RedisRegistry other = new RedisRegistry(uri("127.0.0.1"), "elsewhere", 30_000, certs.ca())) {
            RegistryException e = assertThrows(RegistryException.class,
                    () -> other.publish(listening(8085, "svc", 1, 100, 30_000)));
            assertTrue(e.getMessage().contains("NOPERM"), e.getMessage());
        }
    }

    /** rediss-sentinel:// (Lettuce's syntax): TLS to the sentinels and to the master they name, with redisCa. */
    @Test
    void sentinelsOverTls() {
        try (RedisSentinels sentinels = RedisSentinels.launch(certs)) {
            String uri = sentinels.uri();
            assertTrue(uri.startsWith("rediss-sentinel://"), uri);
            try (RedisRegistry registry = new RedisRegistry(uri, "portmanager", 30_000, certs.ca())) {
                assertEquals(uri, registry.describe());
                registry.publish(listening(8086, "svc-sentinel", 1, 100, 30_000));
                assertEquals(List.of(8086), registry.lookup("svc-sentinel").stream().map(a -> a.port()).toList());
            }
            // it is the master's TLS port that holds the entry (the plain port is the fixture's)
            assertEquals(":1", sentinels.master().command("EXISTS",
                    "{portmanager}:alloc:" + TestAllocations.HOST + ":8086"));
        }
    }

    /**
     * A Redis Cluster over TLS (tls-cluster yes): the URI names one node's TLS port, the cluster client follows
     * the slot map to the TLS ports the nodes announce, verifying each against redisCa.
     */
    @Test
    void aClusterOverTls() {
        try (RedisCluster cluster = RedisCluster.launch(certs)) {
            RedisServer holder = cluster.masterOf("{portmanager}");
            int named = cluster.indexOf(holder) == 0 ? 1 : 0; // a node that does not hold the keys
            try (RedisRegistry registry = new RedisRegistry(cluster.uri(named), "portmanager", 30_000,
                    certs.ca())) {
                // the very first command goes to a node whose TLS connection is still being opened: it must wait
                // for it, not be rejected (a one-shot CLI read would always come back partial)
                registry.publish(listening(8087, "svc-cluster", 1, 100, 30_000));
                assertEquals(List.of(8087), registry.lookup("svc-cluster").stream().map(a -> a.port()).toList());
                assertTrue(registry.isCluster(), "the cluster was detected through a TLS node");
            }
            assertEquals(":1", holder.command("EXISTS", "{portmanager}:alloc:" + TestAllocations.HOST + ":8087"));
        }
    }

    @Test
    void aMissingCaFileIsAConfigurationError() {
        Path missing = certDir.resolve("nope.pem");
        dev.portmanager.config.ConfigException e = assertThrows(dev.portmanager.config.ConfigException.class,
                () -> new RedisRegistry(uri("127.0.0.1"), "portmanager", 30_000, missing));
        assertTrue(e.getMessage().contains("redisCa " + missing), e.getMessage());
    }
}
