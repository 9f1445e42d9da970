package dev.portmanager.registry;

import dev.portmanager.Allocation;
import dev.portmanager.AllocationState;
import dev.portmanager.registry.Registry.PublishOutcome;
import dev.portmanager.testing.RedisServerExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static dev.portmanager.registry.TestAllocations.HOST;
import static dev.portmanager.registry.TestAllocations.listening;
import static dev.portmanager.registry.TestAllocations.of;
import static dev.portmanager.registry.RegistrySyncTest.awaitTrue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Publish, renew, withdraw, lookup and reap semantics against a real redis-server. */
class RedisRegistryTest {
    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    /**
     * For entries a test must still see, or change, after publishing them: long enough that a busy core between two
     * commands cannot let it run out first, short enough to wait out. Expiry is polled, never slept for.
     */
    private static final long SHORT_LEASE = 2_000;

    private RedisRegistry registry;
    private RawRedis raw;

    @BeforeEach
    void connect() {
        registry = new RedisRegistry(REDIS.uri(), "portmanager", 30_000);
        raw = new RawRedis(REDIS.uri());
    }

    @AfterEach
    void disconnect() {
        registry.close();
        raw.close();
    }

    @Test
    void firstPublishCreatesAndTheNextRenews() {
        Allocation a = listening(8085, "hrm-mlx-service", 1, 4242, 30_000);
        assertEquals(PublishOutcome.CREATED, registry.publish(a));
        assertEquals(PublishOutcome.RENEWED, registry.publish(a));
        assertEquals(List.of("host-a:8085"), registry.allocations().stream().map(Allocation::hostPort).toList());
    }

    @Test
    void everyFieldSurvivesTheRoundTrip() {
        Allocation a = listening(8085, "hrm-mlx-service", 7, 4242, 30_000);
        registry.publish(a);
        Allocation back = registry.lookup("hrm-mlx-service").get(0);
        assertEquals(a.host(), back.host());
        assertEquals(a.port(), back.port());
        assertEquals(a.service(), back.service());
        assertEquals(a.type(), back.type());
        assertEquals(a.instance(), back.instance());
        assertEquals(a.endpoint(), back.endpoint());
        assertEquals(a.requestedPort(), back.requestedPort());
        assertEquals(a.advertised(), back.advertised());
        assertEquals(a.pid(), back.pid());
        assertEquals(a.processStart(), back.processStart());
        assertEquals(a.createdAt(), back.createdAt());
        assertEquals(a.leaseMillis(), back.leaseMillis());
        assertEquals(a.state(), back.state());
        assertEquals(a.generation(), back.generation());
        assertEquals(a.reason(), back.reason());
        assertEquals(a.ownerToken(), back.ownerToken());
        assertTrue(back.leaseUntil() > back.createdAt(), "leaseUntil is Redis's deadline");
        // fields are plain hash fields, not a JSON blob
        assertEquals("hrm-mlx-service", raw.cmd().hget("{portmanager}:alloc:host-a:8085", "service"));
    }

    @Test
    void nullFieldsComeBackNull() {
        Allocation a = listening(8085, "svc", 1, 4242, 30_000).withAdvertised(null);
        Allocation noReason = new Allocation(a.host(), a.port(), a.service(), a.type(), a.instance(), a.endpoint(),
                0, null, a.pid(), a.processStart(), a.createdAt(), a.leaseMillis(), a.leaseUntil(), a.state(),
                a.generation(), null);
        registry.publish(noReason);
        Allocation back = registry.allocations().get(0);
        assertNull(back.advertised());
        assertNull(back.reason());
    }

    @Test
    void anOlderGenerationCannotOverwriteANewerOne() {
        Allocation newer = listening(8085, "new-svc", 5, 200, 30_000);
        Allocation older = listening(8085, "old-svc", 4, 100, 30_000);
        assertEquals(PublishOutcome.CREATED, registry.publish(newer));
        assertEquals(PublishOutcome.SUPERSEDED, registry.publish(older));
        Allocation held = registry.allocations().get(0);
        assertEquals(5, held.generation());
        assertEquals("new-svc", held.service());
        assertTrue(registry.lookup("old-svc").isEmpty());
    }

    @Test
    void aNewerGenerationReplacesTheOlderAndTheOldOwnerIsLockedOut() {
        Allocation old = listening(8085, "old-svc", 1, 100, 30_000);
        Allocation next = listening(8085, "new-svc", 2, 200, 30_000);
        registry.publish(old);
        assertEquals(PublishOutcome.CREATED, registry.publish(next));
        assertEquals(PublishOutcome.SUPERSEDED, registry.publish(old), "the old owner's renewal");
        assertFalse(registry.withdraw(old), "the old owner's withdraw");
        assertTrue(registry.lookup("old-svc").isEmpty(), "the old service's index no longer lists the port");
        assertEquals(List.of(200L), registry.lookup("new-svc").stream().map(Allocation::pid).toList());
    }

    @Test
    void sameGenerationOtherProcessIsSuperseded() {
        registry.publish(listening(8085, "svc", 3, 100, 30_000));
        assertEquals(PublishOutcome.SUPERSEDED, registry.publish(listening(8085, "svc", 3, 999, 30_000)));
        assertEquals(100, registry.allocations().get(0).pid());
    }

    @Test
    void theProcessTakesOverItsOwnReservation() {
        Allocation reservation = of(HOST, 8085, "svc", 3, 0, 30_000, AllocationState.RESERVED);
        Allocation bound = listening(8085, "svc", 3, 4242, 30_000);
        assertEquals(PublishOutcome.CREATED, registry.publish(reservation));
        assertEquals(PublishOutcome.CREATED, registry.publish(bound));
        assertEquals(PublishOutcome.SUPERSEDED, registry.publish(reservation), "the reservation cannot come back");
        assertEquals(4242, registry.lookup("svc").get(0).pid());
    }

    @Test
    void onlyTheOwnerWithdraws() {
        Allocation a = listening(8085, "svc", 1, 100, 30_000);
        registry.publish(a);
        assertFalse(registry.withdraw(listening(8085, "svc", 1, 101, 30_000)), "another process");
        assertFalse(registry.withdraw(listening(8085, "svc", 0, 100, 30_000)), "another grant");
        assertEquals(1, registry.allocations().size());
        assertTrue(registry.withdraw(a));
        assertTrue(registry.allocations().isEmpty());
        assertTrue(registry.lookup("svc").isEmpty());
        assertEquals(0L, raw.cmd().zcard("{portmanager}:deadlines"));
        assertFalse(registry.withdraw(a), "twice");
    }

    @Test
    void lookupListsOnlyListeningEntriesOfThatService() {
        registry.publish(listening(8085, "svc", 1, 100, 30_000));
        registry.publish(of("host-b", 8085, "svc", 1, 200, 30_000, AllocationState.LISTENING));
        registry.publish(of(HOST, 8086, "svc", 1, 300, 30_000, AllocationState.ALLOCATED));
        registry.publish(listening(8087, "other", 1, 400, 30_000));
        Set<String> found = registry.lookup("svc").stream().map(Allocation::hostPort).collect(Collectors.toSet());
        assertEquals(Set.of("host-a:8085", "host-b:8085"), found);
        assertEquals(4, registry.allocations().size(), "allocations() lists every state");
        assertTrue(registry.lookup("nobody").isEmpty());
    }

    @Test
    void aStateChangeMovesTheEntryInAndOutOfDiscovery() {
        Allocation allocated = of(HOST, 8086, "svc", 1, 300, 30_000, AllocationState.ALLOCATED);
        registry.publish(allocated);
        assertTrue(registry.lookup("svc").isEmpty());
        assertEquals(PublishOutcome.RENEWED, registry.publish(allocated.withState(AllocationState.LISTENING)));
        assertEquals(1, registry.lookup("svc").size());
        registry.publish(allocated.withState(AllocationState.RELEASED));
        assertTrue(registry.lookup("svc").isEmpty());
    }

    @Test
    void lookupAndAllocationsSkipExpiredEntriesEvenIfTheKeyLingers() throws Exception {
        registry.publish(listening(8085, "svc", 1, 100, SHORT_LEASE));
        registry.publish(listening(8086, "svc", 1, 101, 30_000));
        // the key's own expiry is removed so that only the deadline filter can hide it
        assertTrue(raw.cmd().persist("{portmanager}:alloc:host-a:8085"), "persisted before its lease ran out");
        awaitTrue(() -> registry.lookup("svc").size() == 1, "the deadline passes");
        assertEquals(1L, raw.cmd().exists("{portmanager}:alloc:host-a:8085"));
        assertEquals(List.of("host-a:8086"), registry.lookup("svc").stream().map(Allocation::hostPort).toList());
        assertEquals(List.of("host-a:8086"), registry.allocations().stream().map(Allocation::hostPort).toList());
    }

    @Test
    void aDeadOwnersEntryExpiresWithItsLeaseWithoutAReaper() throws Exception {
        registry.publish(listening(8085, "svc", 1, 100, SHORT_LEASE));
        long ttl = raw.cmd().pttl("{portmanager}:alloc:host-a:8085");
        assertTrue(ttl > 0 && ttl <= SHORT_LEASE, "PEXPIRE is the lease, was " + ttl);
        awaitTrue(() -> raw.cmd().exists("{portmanager}:alloc:host-a:8085") == 0, "the key expires by itself");
        assertTrue(registry.allocations().isEmpty());
    }

    @Test
    void anEntryThatExpiredAndCameBackIsListedOnce() throws Exception {
        registry.publish(listening(8085, "svc", 1, 100, 200));
        awaitTrue(() -> raw.cmd().exists("{portmanager}:alloc:host-a:8085") == 0, "the entry expires");
        // the expired entry's row is still in the index (no reaper ran); the new one must not double it
        assertEquals(PublishOutcome.CREATED, registry.publish(listening(8085, "svc", 1, 100, 30_000)));
        assertEquals(1, registry.lookup("svc").size());
        assertEquals(1, registry.allocations().size());
    }

    @Test
    void reapRemovesOnlyEntriesPastTheGrace() throws Exception {
        registry.publish(listening(8085, "svc", 1, 100, SHORT_LEASE));
        registry.publish(listening(8086, "svc", 1, 101, 30_000));
        assertTrue(raw.cmd().persist("{portmanager}:alloc:host-a:8085"), "persisted before its lease ran out");
        awaitTrue(() -> registry.lookup("svc").size() == 1, "the deadline passes");
        assertEquals(0, registry.reap(60_000), "within the grace");
        assertEquals(1, registry.reap(0));
        assertEquals(0L, raw.cmd().exists("{portmanager}:alloc:host-a:8085"));
        assertEquals(List.of("host-a:8086"), raw.cmd().zrange("{portmanager}:deadlines", 0, -1));
        List<String> index = raw.cmd().zrange("{portmanager}:svc:svc", 0, -1);
        assertEquals(1, index.size());
        assertEquals(8086, AllocationFields.read(index.get(0)).port());
        assertEquals(0, registry.reap(0), "nothing left to reap");
    }

    @Test
    void reapCleansTheIndexesOfEntriesThatAlreadyExpired() throws Exception {
        registry.publish(listening(8085, "gone", 1, 100, 100));
        awaitTrue(() -> raw.cmd().exists("{portmanager}:alloc:host-a:8085") == 0, "the entry expires");
        assertEquals(1, registry.reap(0));
        assertEquals(0L, raw.cmd().exists("{portmanager}:svc:gone"));
        assertFalse(raw.cmd().smembers("{portmanager}:services").contains("gone"));
    }

    @Test
    void theServiceViewFollowsEveryChange() {
        Allocation a = listening(8085, "svc", 1, 100, 30_000);
        Allocation b = listening(8086, "svc", 1, 101, 30_000);
        registry.publish(a);
        registry.publish(b);
        assertEquals(2, raw.cmd().get("{portmanager}:view:svc").split("\u001e").length);
        registry.publish(b.withState(AllocationState.RELEASED));
        assertEquals(List.of("host-a:8085"), registry.lookup("svc").stream().map(Allocation::hostPort).toList());
        registry.withdraw(a);
        assertEquals(0L, raw.cmd().exists("{portmanager}:view:svc"), "no live rows, no view");
        assertTrue(registry.lookup("svc").isEmpty());
    }

    @Test
    void theViewExpiresWithItsLastDeadline() throws Exception {
        registry.publish(listening(8085, "svc", 1, 100, SHORT_LEASE));
        assertEquals(1L, raw.cmd().exists("{portmanager}:view:svc"));
        awaitTrue(() -> raw.cmd().exists("{portmanager}:view:svc") == 0, "the view expires");
    }

    @Test
    void aServiceWithMoreInstancesThanTheViewHoldsIsReadFromItsIndex() {
        int many = RegistryScripts.VIEW_CAP + 1;
        for (int i = 0; i < many; i++) {
            registry.publish(of("host-" + i, 8085, "big", 1, 100, 30_000, AllocationState.LISTENING));
        }
        assertEquals("MANY", raw.cmd().get("{portmanager}:view:big"));
        assertEquals(many, registry.lookup("big").size());
        registry.withdraw(of("host-0", 8085, "big", 1, 100, 30_000, AllocationState.LISTENING));
        assertEquals(many - 1, registry.lookup("big").size());
        assertTrue(raw.cmd().get("{portmanager}:view:big").contains("host-1"), "small enough again: a real view");
    }

    @Test
    void everyKeyCarriesThePrefixAsAHashTag() {
        registry.publish(listening(8085, "svc", 1, 100, 30_000));
        List<String> keys = raw.cmd().keys("*");
        assertEquals(7, keys.size(), keys.toString()); // with {portmanager}:changes
        assertTrue(keys.stream().allMatch(k -> k.startsWith("{portmanager}:")), keys.toString());
    }

    @Test
    void aPrefixThatAlreadyHasATagIsKeptAsIs() {
        try (RedisRegistry tagged = new RedisRegistry(REDIS.uri(), "team-{pm}", 30_000)) {
            tagged.publish(listening(8085, "svc", 1, 100, 30_000));
            assertEquals(1L, raw.cmd().exists("team-{pm}:alloc:host-a:8085"));
            assertTrue(registry.allocations().isEmpty(), "prefixes do not see each other");
        }
    }

    @Test
    void anEmptyRestartIsDetectedByTheEpochAndTheUpsertRefillsIt() {
        Allocation a = listening(8085, "svc", 1, 100, 30_000);
        registry.publish(a);
        assertEquals(PublishOutcome.RENEWED, registry.publish(a));
        REDIS.server().restart();
        assertEquals(PublishOutcome.CREATED, registry.publish(a), "reconnects by itself; the script is resent");
        assertEquals(1, registry.dataLosses());
        assertEquals(PublishOutcome.RENEWED, registry.publish(a));
        assertEquals(1, registry.dataLosses(), "reported once");
    }

    @Test
    void scriptsAreResentWhenRedisForgotThem() {
        raw.cmd().scriptFlush();
        assertEquals(PublishOutcome.CREATED, registry.publish(listening(8085, "svc", 1, 100, 30_000)));
        raw.cmd().scriptFlush();
        assertEquals(1, registry.lookup("svc").size());
    }

    @Test
    void theDatabaseInTheUriIsUsed() {
        try (RedisRegistry db3 = new RedisRegistry(REDIS.server().uri(3), "portmanager", 30_000)) {
            db3.publish(listening(8085, "svc", 1, 100, 30_000));
            assertEquals(0L, raw.cmd().exists("{portmanager}:alloc:host-a:8085"), "not in database 0");
            assertEquals(1, db3.lookup("svc").size());
            assertEquals("redis://127.0.0.1:" + REDIS.server().port() + "/3", db3.describe());
        }
    }

    @Test
    void concurrentPublishersOfOnePortLeaveTheHighestGeneration() throws Exception {
        int threads = 4;
        Thread[] workers = new Thread[threads];
        for (int t = 0; t < threads; t++) {
            long generation = t + 1;
            workers[t] = new Thread(() -> {
                for (int i = 0; i < 50; i++) {
                    registry.publish(listening(9000, "svc-" + generation, generation, 100 + generation, 30_000));
                }
            });
        }
        for (Thread w : workers) {
            w.start();
        }
        for (Thread w : workers) {
            w.join();
        }
        List<Allocation> all = registry.allocations();
        assertEquals(1, all.size());
        assertEquals(threads, all.get(0).generation());
        for (int g = 1; g < threads; g++) {
            assertTrue(registry.lookup("svc-" + g).isEmpty(), "superseded service " + g + " is not discoverable");
        }
    }
}
