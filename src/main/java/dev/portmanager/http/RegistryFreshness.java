package dev.portmanager.http;

/**
 * Carries the registry status of the answer being built on this thread from {@link LocalApi} (which reads the
 * registry) to {@link ApiHandler} (which sets the {@value RegistryStatus#HEADER} header), so that the API's
 * return types stay the plain lists and records the CLI shares with the HTTP API.
 */
final class RegistryFreshness {
    private static final ThreadLocal<RegistryStatus> CURRENT = new ThreadLocal<>();

    private RegistryFreshness() {
    }

    /** Notes the status of one registry read made for the current answer; a stale read wins over a fresh one. */
    static void record(RegistryStatus status) {
        RegistryStatus seen = CURRENT.get();
        if (seen == null || !seen.stale()) {
            CURRENT.set(status);
        }
    }

    /** The status noted since the last call (null: the answer had no registry part), and forgets it. */
    static RegistryStatus take() {
        RegistryStatus s = CURRENT.get();
        CURRENT.remove();
        return s;
    }
}
