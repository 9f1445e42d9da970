package dev.portmanager.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A throwaway Sentinel setup on free loopback ports: one master, one replica, three sentinels (quorum 2) that
 * monitor the master as {@value #MASTER}. Short timeouts (down after 1 s) make a failover take a few seconds.
 */
public final class RedisSentinels implements AutoCloseable {
    public static final String MASTER = "pm-master";
    private static final long READY_TIMEOUT_MILLIS = 30_000;

    private final List<RedisServer> sentinels = new ArrayList<>();
    private final List<Path> configDirs = new ArrayList<>();
    private final TestCertificates certs;
    private final List<Integer> tlsPorts = new ArrayList<>();
    private RedisServer master;
    private RedisServer replica;
    /** The replica's port as the sentinels know it (its TLS port with TLS). */
    private int replicaPort;

    private RedisSentinels(TestCertificates certs) {
        this.certs = certs;
    }

    public static RedisSentinels launch() {
        return launch(null);
    }

    /**
     * With {@code certs}, every server and sentinel also serves TLS on a port of its own, and they reach each other
     * over TLS ({@code tls-replication yes}): {@link #uri()} is then a {@code rediss-sentinel://} URI. Plain ports
     * stay open for the fixture's own readiness checks.
     */
    public static RedisSentinels launch(TestCertificates certs) {
        RedisSentinels s = new RedisSentinels(certs);
        try {
            s.start();
        } catch (RuntimeException e) {
            s.close();
            throw e;
        }
        return s;
    }

    private void start() {
        int masterTls = RedisServer.freePort();
        int replicaTls = RedisServer.freePort();
        master = RedisServer.launch(tls(masterTls, "--repl-diskless-sync-delay", "0"));
        replica = RedisServer.launch(tls(replicaTls, "--replicaof", "127.0.0.1",
                Integer.toString(certs == null ? master.port() : masterTls)));
        int masterPort = certs == null ? master.port() : masterTls;
        replicaPort = certs == null ? replica.port() : replicaTls;
        RedisCli.await(replica.port(), READY_TIMEOUT_MILLIS, out -> out.contains("master_link_status:up"),
                "replica in sync", "INFO", "replication");
        // Each sentinel is told its own id, its peers and the replica up front: left to find them, it learns the
        // replica from the master's INFO (every 10 s) and its peers from hello messages (every 2 s).
        List<Integer> ports = List.of(RedisServer.freePort(), RedisServer.freePort(), RedisServer.freePort());
        List<Integer> tls = List.of(RedisServer.freePort(), RedisServer.freePort(), RedisServer.freePort());
        List<String> ids = List.of("a".repeat(40), "b".repeat(40), "c".repeat(40));
        for (int i = 0; i < 3; i++) {
            List<String> conf = new ArrayList<>(List.of(
                    "sentinel myid " + ids.get(i),
                    "sentinel monitor " + MASTER + " 127.0.0.1 " + masterPort + " 2",
                    "sentinel down-after-milliseconds " + MASTER + " 1000",
                    "sentinel failover-timeout " + MASTER + " 4000",
                    "sentinel parallel-syncs " + MASTER + " 1",
                    "sentinel known-replica " + MASTER + " 127.0.0.1 " + replicaPort));
            for (int j = 0; j < 3; j++) {
                if (j != i) {
                    conf.add("sentinel known-sentinel " + MASTER + " 127.0.0.1 "
                            + (certs == null ? ports.get(j) : tls.get(j)) + " " + ids.get(j));
                }
            }
            if (certs != null) {
                conf.addAll(List.of("tls-port " + tls.get(i), "tls-cert-file " + certs.serverCert(),
                        "tls-key-file " + certs.serverKey(), "tls-ca-cert-file " + certs.ca(),
                        "tls-auth-clients no", "tls-replication yes"));
                tlsPorts.add(tls.get(i));
            }
            Path dir;
            try {
                dir = Files.createTempDirectory("portmanager-sentinel-");
                configDirs.add(dir);
                // a sentinel rewrites its config file, so each gets its own, writable
                Files.writeString(dir.resolve("sentinel.conf"), String.join("\n", conf) + "\n");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            RedisServer sentinel = new RedisServer(ports.get(i),
                    List.of(dir.resolve("sentinel.conf").toString(), "--sentinel"), List.of());
            sentinels.add(sentinel);
            sentinel.start();
        }
        // a failover needs the sentinels to know each other and the replica
        for (RedisServer s : sentinels) {
            RedisCli.await(s.port(), READY_TIMEOUT_MILLIS,
                    out -> out.contains("num-other-sentinels\n2") && out.contains("num-slaves\n1"),
                    "sentinel " + s.port() + " knowing its peers and the replica", "SENTINEL", "MASTER", MASTER);
        }
    }

    public RedisServer master() {
        return master;
    }

    public RedisServer replica() {
        return replica;
    }

    /**
     * {@code redis-sentinel://127.0.0.1:p1,127.0.0.1:p2,127.0.0.1:p3/0#pm-master}, or {@code rediss-sentinel://}
     * with the sentinels' TLS ports.
     */
    public String uri() {
        StringBuilder b = new StringBuilder(certs == null ? "redis-sentinel://" : "rediss-sentinel://");
        for (int i = 0; i < sentinels.size(); i++) {
            b.append(i == 0 ? "" : ",").append("127.0.0.1:")
                    .append(certs == null ? sentinels.get(i).port() : tlsPorts.get(i));
        }
        return b.append("/0#").append(MASTER).toString();
    }

    /** Waits until the sentinels name the replica as master (after the master was killed). */
    public void awaitReplicaPromoted(long millis) {
        RedisCli.await(sentinels.get(0).port(), millis, out -> out.contains(Integer.toString(replicaPort)),
                "the replica promoted", "SENTINEL", "GET-MASTER-ADDR-BY-NAME", MASTER);
    }

    /** redis-server options: {@code args}, plus TLS on {@code tlsPort} (and TLS replication) with certificates. */
    private List<String> tls(int tlsPort, String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        if (certs != null) {
            all.addAll(certs.redisTlsArgs(tlsPort));
            all.addAll(List.of("--tls-replication", "yes"));
        }
        return all;
    }

    @Override
    public void close() {
        for (RedisServer s : sentinels) {
            s.close();
        }
        if (replica != null) {
            replica.close();
        }
        if (master != null) {
            master.close();
        }
        for (Path dir : configDirs) {
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException ignored) {
                // a leftover temporary directory is harmless
            }
        }
    }
}
