package dev.portmanager.registry;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static dev.portmanager.registry.RegistrySyncTest.awaitTrue;
import static dev.portmanager.registry.TestAllocations.listening;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * RegistrySync's outage rules, against an in-memory registry that can be switched off ({@link SwitchableRegistry}):
 * what it calls, in which order. (The same behaviour against a real Redis is covered by {@link RegistrySyncTest}.)
 */
class RegistrySyncOutageTest {
    private static final Duration RENEW = Duration.ofMillis(60);

    @Test
    void afterAnOutageEverythingIsRepublishedAndTheFirstReapIsSkipped() {
        SwitchableRegistry registry = new SwitchableRegistry();
        try (RegistrySync sync = new RegistrySync(registry, RENEW)) {
            sync.track(listening(8085, "svc", 1, 100, 180));
            awaitTrue(() -> registry.count("reap") >= 2, "reaping in normal operation");

            registry.down.set(true);
            awaitTrue(() -> !sync.isAvailable(), "outage noticed");
            awaitTrue(() -> registry.count("publish-failed") + registry.count("reap-failed") >= 3,
                    "keeps retrying while down");
            int outageEnds = registry.switchOn();
            awaitTrue(() -> registry.count("reap") >= 4, "reaping again after the outage");

            List<String> after = registry.kinds().subList(outageEnds, registry.kinds().size());
            assertEquals("publish", after.get(0), "the first call after the outage republishes: " + after);
            int firstReap = after.indexOf("reap");
            long renewalsBefore = after.subList(0, firstReap).stream().filter("publish"::equals).count();
            assertTrue(renewalsBefore >= 2, "owners get a whole interval to renew before any reap: " + after);
            assertTrue(sync.isAvailable());
        }
    }

    @Test
    void retriesWhileDownAreSpacedByTheInterval() {
        SwitchableRegistry registry = new SwitchableRegistry();
        registry.down.set(true);
        try (RegistrySync sync = new RegistrySync(registry, Duration.ofSeconds(30))) {
            sync.track(listening(8085, "svc", 1, 100, 90_000));
            awaitTrue(() -> registry.count("publish-failed") == 1, "the first attempt");
            sync.track(listening(8086, "svc", 1, 100, 90_000));
            sync.flush(Duration.ofMillis(300));
            // new work while down waits for the next retry instead of hammering an unreachable server
            assertEquals(List.of("publish-failed"), registry.kinds());
        }
    }
}
