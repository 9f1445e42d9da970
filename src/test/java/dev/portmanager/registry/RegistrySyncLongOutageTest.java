package dev.portmanager.registry;

import dev.portmanager.Allocation;
import dev.portmanager.AllocationState;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static dev.portmanager.registry.RegistrySyncTest.awaitTrue;
import static dev.portmanager.registry.TestAllocations.listening;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * RegistrySync through long outages, against an in-memory registry that records what it is asked (port, lease)
 * and refuses everything while switched off: bounded memory, renewals first, absolute reservation deadlines.
 */
class RegistrySyncLongOutageTest {
    private static final Duration RENEW = Duration.ofMillis(60);

    @Test
    void churnDuringAnOutageLeavesOnePendingEntryPerPort() {
        SwitchableRegistry registry = new SwitchableRegistry();
        try (RegistrySync sync = new RegistrySync(registry, RENEW)) {
            registry.down.set(true);
            // a service restarting in a loop on one port while Redis is away: thousands of grants and releases
            for (int generation = 1; generation <= 5_000; generation++) {
                Allocation a = listening(9100, "flappy", generation, 100, 180);
                sync.track(a);
                sync.untrack(a);
            }
            registry.down.set(false);
            assertTrue(sync.flush(Duration.ofSeconds(10)), "caught up");
            List<String> calls = registry.delivered();
            assertEquals(List.of("withdraw 9100"), calls.stream().filter(c -> c.startsWith("withdraw")).toList(),
                    "one withdrawal for the port, not one per release: " + calls.size() + " calls");
            assertTrue(sync.tracked().isEmpty());
        }
    }

    @Test
    void afterAnOutageRenewalsGoBeforeTheBacklog() {
        SwitchableRegistry registry = new SwitchableRegistry();
        try (RegistrySync sync = new RegistrySync(registry, RENEW)) {
            Allocation gone = listening(9200, "svc", 1, 100, 180);
            sync.track(listening(9201, "svc", 1, 100, 180));
            sync.track(listening(9202, "svc", 1, 100, 180));
            sync.track(gone);
            assertTrue(sync.flush(Duration.ofSeconds(10)));

            registry.down.set(true);
            awaitTrue(() -> !sync.isAvailable(), "outage noticed");
            sync.untrack(gone);                             // backlog: a withdrawal...
            sync.track(listening(9203, "svc", 1, 100, 180)); // ...and first publications
            sync.track(listening(9204, "svc", 1, 100, 180));
            int before = registry.delivered().size();
            registry.down.set(false);
            assertTrue(sync.flush(Duration.ofSeconds(10)));

            List<String> after = registry.delivered().subList(before, before + 5);
            assertEquals(List.of("publish 9201", "publish 9202"), after.subList(0, 2),
                    "the entries Redis holds are renewed first: " + after);
            // then the backlog: withdrawals (a new grant of a port must find the old one gone), first publications
            assertEquals(List.of("withdraw 9200", "publish 9203", "publish 9204"), after.subList(2, 5), after.toString());
        }
    }

    @Test
    void aReservationPublishedAfterAnOutageKeepsItsDeadline() {
        SwitchableRegistry registry = new SwitchableRegistry();
        try (RegistrySync sync = new RegistrySync(registry, RENEW)) {
            registry.down.set(true);
            long now = System.currentTimeMillis();
            Allocation expiring = reservation(9300, now + 300);
            Allocation lasting = reservation(9301, now + 60_000);
            sync.publishUntil(expiring, expiring.leaseUntil());
            sync.publishUntil(lasting, lasting.leaseUntil());
            awaitTrue(() -> System.currentTimeMillis() > now + 600, "the first reservation's end passed");
            registry.down.set(false);
            assertTrue(sync.flush(Duration.ofSeconds(10)));
            long publishedAt = System.currentTimeMillis();

            List<String> calls = registry.delivered();
            assertEquals(List.of("publish 9301"), calls, "an ended reservation is not published: " + calls);
            long lease = registry.leaseOf("publish 9301");
            // what was left of the deadline, not the whole ttl again
            assertTrue(lease <= lasting.leaseUntil() - (now + 600) && lease >= lasting.leaseUntil() - publishedAt,
                    "lease " + lease);
            assertTrue(sync.tracked().isEmpty(), "published once, then left to its lease");
        }
    }

    private static Allocation reservation(int port, long until) {
        long now = System.currentTimeMillis();
        return new Allocation(TestAllocations.HOST, port, "booked", "ml", "inst", "main", port, "10.0.0.7", 0, 0,
                now, until - now, until, AllocationState.RESERVED, 1, "reserved");
    }
}
