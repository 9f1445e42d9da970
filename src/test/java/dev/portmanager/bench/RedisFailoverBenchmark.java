package dev.portmanager.bench;

import dev.portmanager.Allocation;
import dev.portmanager.AllocationState;
import dev.portmanager.config.PortManagerConfig;
import dev.portmanager.registry.RedisRegistry;
import dev.portmanager.registry.RegistrySync;
import dev.portmanager.testing.RedisCluster;
import dev.portmanager.testing.RedisSentinels;
import dev.portmanager.testing.RedisServer;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Wall times of the registry through trouble, with real redis-server processes: from killing the master that holds
 * PortManager's keys until a reader finds the live services again and a service registered after the kill (Redis
 * Cluster, Sentinel); and 8 concurrent reads of a black-holed Redis (accepts TCP, never answers) against the same 8
 * reads of a healthy one. Plain main: each figure is one event, repeated {@code runs} times.
 */
public final class RedisFailoverBenchmark {
    private static final long LEASE = 9_000;

    private RedisFailoverBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        for (int i = 0; i < runs; i++) {
            try (RedisCluster cluster = RedisCluster.launch()) {
                RedisServer holder = cluster.masterOf("{portmanager}");
                String uri = cluster.uri(cluster.indexOf(holder) == 0 ? 1 : 0);
                System.out.printf("cluster failover: found again + new registered after %d ms%n",
                        failover(uri, holder::kill));
            }
            try (RedisSentinels sentinels = RedisSentinels.launch()) {
                System.out.printf("sentinel failover: found again + new registered after %d ms%n",
                        failover(sentinels.uri(), sentinels.master()::kill));
            }
            try (RedisServer healthy = RedisServer.launch(); ServerSocket hole = blackHole()) {
                System.out.printf("8 concurrent reads: healthy %d ms, black-holed %d ms%n",
                        concurrentReads(healthy.uri()), concurrentReads("redis://127.0.0.1:" + hole.getLocalPort()));
            }
        }
    }

    private static long failover(String uri, Runnable kill) throws InterruptedException {
        PortManagerConfig config = PortManagerConfig.defaults().withStore(uri).withLease(Duration.ofMillis(LEASE));
        try (RegistrySync sync = RegistrySync.forConfig(config);
             RedisRegistry reader = new RedisRegistry(uri, "portmanager", LEASE)) {
            sync.track(live(9001));
            sync.track(live(9002));
            waitFor(reader, 2, 60_000);
            kill.run();
            long killed = System.nanoTime();
            sync.track(live(9003));
            waitFor(reader, 3, 60_000);
            return (System.nanoTime() - killed) / 1_000_000;
        }
    }

    private static long concurrentReads(String uri) throws Exception {
        try (RedisRegistry registry = new RedisRegistry(uri, "portmanager", LEASE)) {
            try {
                registry.lookup("svc"); // the process's first connect (slow in a cold JVM) is not measured
            } catch (RuntimeException e) {
                // the black hole: expected; past the 250 ms back-off a failed connect earns, so that the reads
                // below meet a connect in progress (the slow case), not the back-off (which fails them at once)
                Thread.sleep(300);
            }
            ExecutorService pool = Executors.newFixedThreadPool(8);
            try {
                long start = System.nanoTime();
                List<Future<?>> reads = new ArrayList<>();
                for (int i = 0; i < 8; i++) {
                    reads.add(pool.submit(() -> {
                        try {
                            registry.allocations();
                        } catch (RuntimeException e) {
                            // stale: what the views then report
                        }
                    }));
                }
                for (Future<?> f : reads) {
                    f.get(120, TimeUnit.SECONDS);
                }
                return (System.nanoTime() - start) / 1_000_000;
            } finally {
                pool.shutdownNow();
            }
        }
    }

    private static ServerSocket blackHole() throws Exception {
        ServerSocket s = new ServerSocket();
        s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        Thread t = new Thread(() -> {
            List<Socket> held = new ArrayList<>();
            while (!s.isClosed()) {
                try {
                    held.add(s.accept());
                } catch (Exception e) {
                    return;
                }
            }
        }, "black-hole");
        t.setDaemon(true);
        t.start();
        return s;
    }

    private static void waitFor(RedisRegistry reader, int count, long millis) throws InterruptedException {
        long deadline = System.nanoTime() + millis * 1_000_000;
        while (System.nanoTime() < deadline) {
            try {
                if (reader.lookup("svc").size() == count) {
                    return;
                }
            } catch (RuntimeException e) {
                // failing over
            }
            Thread.sleep(20);
        }
        throw new IllegalStateException(count + " instances not seen within " + millis + " ms");
    }

    private static Allocation live(int port) {
        long now = System.currentTimeMillis();
        return new Allocation("bench-host", port, "svc", "ml", "inst-" + port, "main", port, "10.0.0.7", 100 + port,
                1000, now, LEASE, now + LEASE, AllocationState.LISTENING, 1, "bench");
    }
}
