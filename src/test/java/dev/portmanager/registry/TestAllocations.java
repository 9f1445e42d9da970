package dev.portmanager.registry;

import dev.portmanager.Allocation;
import dev.portmanager.AllocationState;

/** Allocations for registry tests; only the fields a test cares about vary. */
final class TestAllocations {
    static final String HOST = "host-a";

    private TestAllocations() {
    }

    /** A listening allocation owned by process {@code pid} (start time 1000). */
    static Allocation listening(int port, String service, long generation, long pid, long leaseMillis) {
        return of(HOST, port, service, generation, pid, leaseMillis, AllocationState.LISTENING);
    }

    static Allocation of(String host, int port, String service, long generation, long pid, long leaseMillis,
                         AllocationState state) {
        long now = System.currentTimeMillis();
        return new Allocation(host, port, service, "ml", "inst-" + pid, "main", 8085, "10.0.0.7", pid,
                pid == 0 ? 0 : 1000, now, leaseMillis, now + leaseMillis, state, generation, "preferred port");
    }
}
