package dev.portmanager.testing;

import java.util.ArrayList;
import java.util.List;

/**
 * A throwaway Redis Cluster of 3 masters and 3 replicas on free loopback ports, built with {@code redis-cli
 * --cluster create}. A short node timeout (1 s) makes a replica take over a killed master within seconds.
 *
 * <pre>{@code
 * try (RedisCluster cluster = RedisCluster.launch()) {
 *     String uri = cluster.uri(4);                 // redis://127.0.0.1:<port of node 4>
 *     RedisServer m = cluster.masterOf("{portmanager}");
 *     m.kill();                                    // a replica takes over
 * }
 * }</pre>
 */
public final class RedisCluster implements AutoCloseable {
    private static final int NODES = 6;
    private static final long FORM_TIMEOUT_MILLIS = 30_000;

    private final List<RedisServer> nodes = new ArrayList<>();
    private final List<Integer> tlsPorts = new ArrayList<>();
    private final TestCertificates certs;

    private RedisCluster(TestCertificates certs) {
        this.certs = certs;
    }

    public static RedisCluster launch() {
        return launch(null);
    }

    /**
     * With {@code certs}, every node also serves TLS on a port of its own, and the cluster speaks TLS among
     * itself and announces its TLS ports ({@code tls-cluster yes}, {@code tls-replication yes}): clients that
     * follow the slot map then connect over TLS. Plain ports stay open for the fixture's readiness checks.
     */
    public static RedisCluster launch(TestCertificates certs) {
        RedisCluster cluster = new RedisCluster(certs);
        try {
            cluster.start();
        } catch (RuntimeException e) {
            cluster.close();
            throw e;
        }
        return cluster;
    }

    private void start() {
        for (int i = 0; i < NODES; i++) {
            // the bus port is named, since the default (port + 10000) may be taken or above 65535
            List<String> args = new ArrayList<>(List.of("--cluster-enabled", "yes", "--cluster-config-file",
                    "nodes.conf", "--cluster-node-timeout", "1000", "--cluster-replica-validity-factor", "0",
                    "--cluster-port", Integer.toString(RedisServer.freePort()),
                    // a replica's first sync starts at once instead of after the default 5 s
                    "--repl-diskless-sync-delay", "0"));
            if (certs != null) {
                int tls = RedisServer.freePort();
                tlsPorts.add(tls);
                args.addAll(certs.redisTlsArgs(tls));
                args.addAll(List.of("--tls-cluster", "yes", "--tls-replication", "yes"));
            }
            nodes.add(new RedisServer(args));
        }
        // started one by one: each waits for PING, a few ms apiece
        for (RedisServer n : nodes) {
            n.start();
        }
        List<String> create = new ArrayList<>(List.of("redis-cli"));
        if (certs != null) {
            create.addAll(List.of("--tls", "--cacert", certs.ca().toString()));
        }
        create.addAll(List.of("--cluster", "create"));
        for (int i = 0; i < NODES; i++) {
            create.add("127.0.0.1:" + (certs == null ? nodes.get(i).port() : tlsPorts.get(i)));
        }
        create.addAll(List.of("--cluster-replicas", "1", "--cluster-yes"));
        RedisCli.exec(create);
        for (RedisServer n : nodes) {
            RedisCli.await(n.port(), FORM_TIMEOUT_MILLIS, out -> out.contains("cluster_state:ok"),
                    "cluster state ok on node " + n.port(), "CLUSTER", "INFO");
        }
        // every replica has its master's data (and is ready to take over)
        for (RedisServer n : nodes) {
            RedisCli.await(n.port(), FORM_TIMEOUT_MILLIS,
                    out -> out.contains("role:master") || out.contains("master_link_status:up"),
                    "replica of node " + n.port() + " in sync", "INFO", "replication");
        }
    }

    /** Every node, masters and replicas. */
    public List<RedisServer> nodes() {
        return nodes;
    }

    /** {@code redis://127.0.0.1:<port>} of node {@code i} (0-5); {@code rediss://} and its TLS port with TLS. */
    public String uri(int i) {
        return certs == null ? nodes.get(i).uri() : "rediss://127.0.0.1:" + tlsPorts.get(i);
    }

    /** The master that currently owns the slot of {@code key} (e.g. {@code {portmanager}}), as one node sees it. */
    public RedisServer masterOf(String key) {
        RedisServer asked = aliveNode();
        int slot = Integer.parseInt(RedisCli.run(asked.port(), "CLUSTER", "KEYSLOT", key).trim());
        for (String line : RedisCli.run(asked.port(), "CLUSTER", "NODES").split("\n")) {
            String[] f = line.trim().split(" ");
            if (f.length < 9 || !f[2].contains("master") || f[2].contains("fail")) {
                continue;
            }
            for (int i = 8; i < f.length; i++) {
                String[] range = f[i].split("-");
                int from = Integer.parseInt(range[0]);
                int to = range.length > 1 ? Integer.parseInt(range[1]) : from;
                if (slot >= from && slot <= to) {
                    int port = Integer.parseInt(f[1].substring(f[1].indexOf(':') + 1).split("[@,]")[0]);
                    return byPort(port);
                }
            }
        }
        throw new IllegalStateException("no live master owns slot " + slot);
    }

    /** The index of a node in {@link #nodes()}. */
    public int indexOf(RedisServer node) {
        return nodes.indexOf(node);
    }

    /** The node on {@code port}: its plain port, or its TLS port (what a TLS cluster announces). */
    private RedisServer byPort(int port) {
        for (int i = 0; i < nodes.size(); i++) {
            if (nodes.get(i).port() == port || (certs != null && tlsPorts.get(i) == port)) {
                return nodes.get(i);
            }
        }
        throw new IllegalStateException("no node on port " + port);
    }

    private RedisServer aliveNode() {
        for (RedisServer n : nodes) {
            if (n.isRunning()) {
                return n;
            }
        }
        throw new IllegalStateException("every node is down");
    }

    @Override
    public void close() {
        for (RedisServer n : nodes) {
            n.close();
        }
    }
}
