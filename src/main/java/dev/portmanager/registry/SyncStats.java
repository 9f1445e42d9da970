package dev.portmanager.registry;

import java.util.concurrent.atomic.AtomicLong;

/**
 * What this process's registry syncs have done, for {@code /metrics}: passes that reached Redis and the last
 * time one did (the sync lag is the time since), passes that failed, and the lease renewals those failures
 * left undone. Process-wide because a process has one sync per store and the metrics are the process's.
 */
public final class SyncStats {
    private static final AtomicLong LAST_SUCCESS_MILLIS = new AtomicLong();
    private static final AtomicLong FAILURES = new AtomicLong();
    private static final AtomicLong RENEWAL_ERRORS = new AtomicLong();

    private SyncStats() {
    }

    static void passSucceeded() {
        LAST_SUCCESS_MILLIS.set(System.currentTimeMillis());
    }

    /** @param renewalsMissed entries already published whose renewal this failed pass could not make */
    static void passFailed(int renewalsMissed) {
        FAILURES.incrementAndGet();
        RENEWAL_ERRORS.addAndGet(renewalsMissed);
    }

    /** Epoch ms of the last pass that reached the registry; 0 when none has yet. */
    public static long lastSuccessMillis() {
        return LAST_SUCCESS_MILLIS.get();
    }

    public static long failures() {
        return FAILURES.get();
    }

    public static long renewalErrors() {
        return RENEWAL_ERRORS.get();
    }
}
