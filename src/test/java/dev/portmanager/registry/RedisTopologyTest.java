package dev.portmanager.registry;

import dev.portmanager.Allocation;
import dev.portmanager.config.PortManagerConfig;
import dev.portmanager.testing.RedisCluster;
import dev.portmanager.testing.RedisSentinels;
import dev.portmanager.testing.RedisServer;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;

import static dev.portmanager.registry.TestAllocations.listening;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Redis past one machine, with real redis-server processes: a Redis Cluster (3 masters + 3 replicas) reached
 * through a URI naming one node, and Sentinel (1 master + 1 replica + 3 sentinels). In both, the master holding
 * PortManager's keys is killed: live services must be found again, and a new one must register, within one lease.
 */
class RedisTopologyTest {
    /** Long enough for a failover (node timeout 1 s, then an election), short enough to keep the test quick. */
    private static final long LEASE = 9_000;
    /** The first connect of a cold JVM (Lettuce's classes, Netty's event loops) takes seconds on a busy host. */
    private static final long FIRST_CONNECT = 60_000;

    @Test
    void aClusterReachedThroughAnyNodeSurvivesTheLossOfTheMasterHoldingTheKeys() {
        try (RedisCluster cluster = RedisCluster.launch()) {
            RedisServer holder = cluster.masterOf("{portmanager}");
            // name a node that does not hold the keys: a plain client would get MOVED for every call
            int named = cluster.indexOf(holder) == 0 ? 1 : 0;
            String uri = cluster.uri(named);
            try (RegistrySync sync = RegistrySync.forConfig(config(uri));
                 RedisRegistry reader = new RedisRegistry(uri, "portmanager", LEASE)) {
                sync.track(live(9001));
                sync.track(live(9002));
                await(() -> ports(reader).equals(List.of(9001, 9002)), FIRST_CONNECT, "both registered through node "
                        + named);
                assertTrue(reader.isCluster(), "the cluster was detected from one node");

                holder.kill();
                long killed = System.nanoTime();
                sync.track(live(9003)); // registered while the cluster fails over
                await(() -> ports(reader).equals(List.of(9001, 9002, 9003)), killed, LEASE,
                        "live services found again and the new one registered");
                assertNotEquals(holder.port(), cluster.masterOf("{portmanager}").port(), "a replica took over");
                // and they stay: renewals go to the new master
                sleepPast(killed, LEASE + LEASE / 3);
                assertEquals(List.of(9001, 9002, 9003), ports(reader));
            }
        }
    }

    @Test
    void sentinelsLeadToTheNewMasterAfterAFailover() {
        try (RedisSentinels sentinels = RedisSentinels.launch()) {
            String uri = sentinels.uri();
            try (RegistrySync sync = RegistrySync.forConfig(config(uri));
                 RedisRegistry reader = new RedisRegistry(uri, "portmanager", LEASE)) {
                assertEquals(uri, reader.describe());
                sync.track(live(9001));
                sync.track(live(9002));
                await(() -> ports(reader).equals(List.of(9001, 9002)), FIRST_CONNECT,
                        "both registered via the sentinels");
                // the replica has them too before the master goes
                await(() -> sentinels.replica().command("EXISTS", "{portmanager}:alloc:" + TestAllocations.HOST + ":9002")
                        .equals(":1"), LEASE, "replicated");

                sentinels.master().kill();
                long killed = System.nanoTime();
                sync.track(live(9003));
                await(() -> ports(reader).equals(List.of(9001, 9002, 9003)), killed, LEASE,
                        "live services found again and the new one registered");
                sentinels.awaitReplicaPromoted(1_000);
                sleepPast(killed, LEASE + LEASE / 3);
                assertEquals(List.of(9001, 9002, 9003), ports(reader));
            }
        }
    }

    private static PortManagerConfig config(String uri) {
        return PortManagerConfig.defaults().withStore(uri).withLease(Duration.ofMillis(LEASE));
    }

    private static Allocation live(int port) {
        return listening(port, "svc", 1, 100 + port, LEASE);
    }

    /** The ports of the service's live instances, sorted; empty while the registry cannot be read. */
    private static List<Integer> ports(RedisRegistry reader) {
        try {
            return reader.lookup("svc").stream().map(Allocation::port).sorted().toList();
        } catch (RegistryException e) {
            return List.of();
        }
    }

    private static void await(BooleanSupplier condition, long millis, String what) {
        await(condition, System.nanoTime(), millis, what);
    }

    /** Polls until {@code condition} holds, failing once {@code millis} passed since {@code start} (nanoTime). */
    private static void await(BooleanSupplier condition, long start, long millis, String what) {
        long deadline = start + Duration.ofMillis(millis).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("not within " + millis + " ms: " + what);
            }
            sleep(50);
        }
    }

    private static void sleepPast(long start, long millis) {
        long left = Duration.ofMillis(millis).toNanos() - (System.nanoTime() - start);
        if (left > 0) {
            sleep(left / 1_000_000);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted");
        }
    }
}
