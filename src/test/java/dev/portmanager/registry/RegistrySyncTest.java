package dev.portmanager.registry;

import dev.portmanager.Allocation;
import dev.portmanager.AllocationState;
import dev.portmanager.config.ConfigException;
import dev.portmanager.config.PortManagerConfig;
import dev.portmanager.testing.RedisServer;
import dev.portmanager.testing.RedisServerExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import static dev.portmanager.registry.TestAllocations.listening;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The background publisher against a real redis-server: renewals, withdrawals, outages and empty restarts. */
class RegistrySyncTest {
    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    /**
     * Leases are short enough to wait out in a test, and long enough that a GC pause or a busy core (a renewal
     * up to two intervals late) cannot decide a result; the sync renews every third.
     */
    private static final long LEASE = 3_000;
    private static final Duration RENEW = Duration.ofMillis(LEASE / 3);

    private RedisRegistry reader;

    @BeforeEach
    void reader() {
        reader = new RedisRegistry(REDIS.uri(), "portmanager", LEASE);
    }

    @AfterEach
    void closeReader() {
        reader.close();
    }

    private RegistrySync sync() {
        return new RegistrySync(new RedisRegistry(REDIS.uri(), "portmanager", LEASE), RENEW);
    }

    @Test
    void tracksAndKeepsRenewingPastTheLease() throws Exception {
        try (RegistrySync sync = sync()) {
            Allocation a = listening(8085, "svc", 1, 100, LEASE);
            sync.track(a);
            assertTrue(sync.flush(Duration.ofSeconds(60)));
            assertEquals(1, reader.lookup("svc").size());
            long firstDeadline = reader.lookup("svc").get(0).leaseUntil();
            // Past the first deadline (Redis and this test share the host's clock): only renewals keep it there.
            awaitTrue(() -> System.currentTimeMillis() > firstDeadline + RENEW.toMillis(), "the first lease is over");
            List<Allocation> found = reader.lookup("svc");
            assertEquals(1, found.size(), "renewed, so still there after its first lease");
            assertTrue(found.get(0).leaseUntil() > firstDeadline);
        }
    }

    @Test
    void untrackWithdrawsAndStopsRenewing() throws Exception {
        try (RegistrySync sync = sync()) {
            Allocation a = listening(8085, "svc", 1, 100, LEASE);
            Allocation kept = listening(8086, "svc", 1, 100, LEASE);
            sync.track(a);
            sync.track(kept);
            assertTrue(sync.flush(Duration.ofSeconds(60)));
            sync.untrack(a);
            assertTrue(sync.flush(Duration.ofSeconds(60)));
            assertEquals(List.of(8086), ports(reader.allocations()));
            // Two renewals of the entry still tracked: the withdrawn one had two chances to come back.
            for (int renewal = 1; renewal <= 2; renewal++) {
                long before = reader.lookup("svc").get(0).leaseUntil();
                awaitTrue(() -> reader.lookup("svc").get(0).leaseUntil() > before, "a renewal of the kept entry");
            }
            assertEquals(List.of(8086), ports(reader.allocations()), "not resurrected by a renewal");
            assertEquals(List.of(8086), ports(sync.tracked()));
        }
    }

    private static List<Integer> ports(List<Allocation> allocations) {
        return allocations.stream().map(Allocation::port).sorted().toList();
    }

    @Test
    void aStateChangeIsPublishedSoon() {
        try (RegistrySync sync = sync()) {
            Allocation a = TestAllocations.of("host-a", 8085, "svc", 1, 100, LEASE, AllocationState.ALLOCATED);
            sync.track(a);
            assertTrue(sync.flush(Duration.ofSeconds(60)));
            assertTrue(reader.lookup("svc").isEmpty());
            sync.track(a.withState(AllocationState.LISTENING));
            assertTrue(sync.flush(Duration.ofSeconds(60)));
            assertEquals(1, reader.lookup("svc").size());
        }
    }

    @Test
    void aSupersededEntryIsNoLongerRenewed() {
        try (RegistrySync sync = sync()) {
            Allocation old = listening(8085, "old", 1, 100, LEASE);
            sync.track(old);
            assertTrue(sync.flush(Duration.ofSeconds(60)));
            Allocation newer = listening(8085, "new", 2, 200, 30_000);
            reader.publish(newer);
            awaitTrue(() -> sync.tracked().isEmpty(), "the sync drops the superseded entry");
            assertEquals(2, reader.allocations().get(0).generation());
            assertTrue(reader.lookup("old").isEmpty());
        }
    }

    @Test
    void aForgottenEntryIsPublishedOnceThenLeftToItsLease() {
        try (RegistrySync sync = sync()) {
            Allocation reservation = TestAllocations.of("host-a", 8085, "svc", 1, 0, LEASE,
                    AllocationState.RESERVED);
            sync.track(reservation);
            sync.forget(reservation); // before the background thread got to it
            assertTrue(sync.flush(Duration.ofSeconds(60)));
            assertTrue(sync.tracked().isEmpty());
            assertEquals(1, reader.allocations().size(), "published once");
            awaitTrue(() -> reader.allocations().isEmpty(), "not renewed: gone with its lease");
        }
    }

    @Test
    void closeWithdrawsEverythingTracked() {
        RegistrySync sync = sync();
        sync.track(listening(8085, "svc", 1, 100, 30_000));
        sync.track(listening(8086, "svc", 1, 100, 30_000));
        assertTrue(sync.flush(Duration.ofSeconds(60)));
        assertEquals(2, reader.allocations().size());
        sync.close();
        assertTrue(reader.allocations().isEmpty());
    }

    @Test
    void redisRestartedEmptyIsRefilledByTheRenewals() {
        try (RegistrySync sync = sync()) {
            sync.track(listening(8085, "svc", 1, 100, LEASE));
            sync.track(listening(8086, "svc", 1, 100, LEASE));
            assertTrue(sync.flush(Duration.ofSeconds(60)));
            // A key the sync never writes shows that Redis really came back empty (the renewals may already
            // have refilled the entries by the time this test looks at them).
            assertEquals("+OK", REDIS.server().command("SET", "restart-marker", "1"));
            REDIS.server().restart();
            assertEquals(":0", REDIS.server().command("EXISTS", "restart-marker"), "restarted empty");
            awaitTrue(() -> reader.lookup("svc").size() == 2, "both entries re-registered");
            assertEquals(List.of(8085, 8086), ports(reader.lookup("svc")));
        }
    }

    @Test
    void redisKilledAndBackCatchesUp() throws Exception {
        try (RegistrySync sync = sync()) {
            sync.track(listening(8085, "svc", 1, 100, LEASE));
            assertTrue(sync.flush(Duration.ofSeconds(60)));
            REDIS.server().kill();
            awaitTrue(() -> !sync.isAvailable(), "the sync notices the outage at its next renewal");
            sync.track(listening(8086, "svc", 1, 100, LEASE));
            assertFalse(sync.flush(Duration.ofMillis(200)), "pending while Redis is down");
            REDIS.server().start();
            awaitTrue(() -> reader.lookup("svc").size() == 2, "the old entry and the one tracked meanwhile");
            assertTrue(sync.flush(Duration.ofSeconds(60)));
        }
    }

    @Test
    void redisDownAtStartCatchesUpWhenItStarts() {
        try (RedisServer later = new RedisServer()) {
            PortManagerConfig config = PortManagerConfig.defaults().withStore(later.uri())
                    .withLease(Duration.ofMillis(LEASE));
            try (RegistrySync sync = RegistrySync.forConfig(config)) {
                sync.track(listening(8085, "svc", 1, 100, LEASE));
                assertFalse(sync.flush(Duration.ofMillis(300)));
                later.start();
                try (RedisRegistry laterReader = new RedisRegistry(later.uri(), "portmanager", LEASE)) {
                    awaitTrue(() -> laterReader.lookup("svc").size() == 1, "published once Redis is up");
                }
                assertTrue(sync.flush(Duration.ofSeconds(60)));
            }
        }
    }

    @Test
    void theRegistryIsCreatedOnTheDaemonThreadNeverTheCallers() {
        AtomicReference<Thread> creator = new AtomicReference<>();
        Supplier<Registry> factory = () -> {
            creator.set(Thread.currentThread());
            return new RedisRegistry(REDIS.uri(), "portmanager", LEASE);
        };
        try (RegistrySync sync = new RegistrySync(factory, RENEW)) {
            sync.track(listening(8085, "svc", 1, 100, LEASE));
            assertTrue(sync.flush(Duration.ofSeconds(60)));
            assertEquals(RegistrySync.THREAD_NAME, creator.get().getName());
            assertTrue(creator.get().isDaemon());
            assertTrue(sync.registry().isPresent());
        }
    }

    @Test
    void aBadUriFailsAtOnceOnTheCallersThread() {
        PortManagerConfig config = PortManagerConfig.defaults().withStore("redis://u:s3cret@host:notaport");
        ConfigException e = assertThrows(ConfigException.class, () -> RegistrySync.forConfig(config));
        assertFalse(e.getMessage().contains("s3cret"));
    }

    @Test
    void aFactoryThatCannotWorkStopsTryingAndFlushSaysSo() {
        AtomicBoolean called = new AtomicBoolean();
        Supplier<Registry> broken = () -> {
            called.set(true);
            throw new ConfigException("broken on purpose");
        };
        try (RegistrySync sync = new RegistrySync(broken, RENEW)) {
            sync.track(listening(8085, "svc", 1, 100, LEASE));
            assertFalse(sync.flush(Duration.ofSeconds(5)));
            assertTrue(called.get());
            assertTrue(sync.registry().isEmpty());
        }
    }

    /** Polls a condition: outcomes are asserted, never how long they took (the bound only stops a hang). */
    static void awaitTrue(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("never happened: " + what);
            }
            try {
                Thread.sleep(25);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for: " + what);
            }
        }
    }
}
