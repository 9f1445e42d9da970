package dev.portmanager.registry;

import dev.portmanager.Allocation;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;

/**
 * RegistrySync's log lines, kept apart so that SLF4J is first loaded by the background thread, never by the
 * application thread that creates the sync. One line per state change, never a stack trace per retry.
 */
final class SyncLog {
    private static final Logger LOG = LoggerFactory.getLogger(RegistrySync.class);

    private SyncLog() {
    }

    static void down(Registry r, RuntimeException e, Duration retryEvery) {
        // a RegistryException already names the registry and the reason; anything else gets both added
        String what = e instanceof RegistryException ? e.getMessage()
                : "Registry " + name(r) + " unusable (" + e + ")";
        LOG.warn("{}; allocation on this host continues, retrying every {} ms", what, retryEvery.toMillis());
    }

    static void back(Registry r, int tracked) {
        LOG.info("Registry {} reachable again; re-publishing {} allocation(s)", name(r), tracked);
    }

    static void lostEntries(Registry r) {
        LOG.warn("Registry {} no longer had an entry we had published (restarted empty?); re-publishing all",
                name(r));
    }

    static void superseded(Registry r, Allocation a) {
        LOG.info("Registry {}: {} ({}) is held by a newer grant; no longer renewing it", name(r), a.hostPort(),
                a.service());
    }

    static void misconfigured(RuntimeException e) {
        LOG.error("Registry not started: {}", e.getMessage());
    }

    static void closeFailed(Registry r, RuntimeException e) {
        LOG.debug("Closing registry {} failed: {}", name(r), e.toString());
    }

    private static String name(Registry r) {
        return r == null ? "(not created yet)" : r.describe();
    }
}
