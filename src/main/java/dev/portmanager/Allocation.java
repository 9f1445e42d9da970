package dev.portmanager;

/**
 * One port granted on one host. Immutable; the manager returns a new value when the state changes.
 *
 * @param host             the host the port belongs to
 * @param port             the granted port
 * @param service          service name
 * @param type             service type (the range it was drawn from may differ: see {@code reason})
 * @param instance         instance id: the same instance gets its previous port back when it is free (sticky)
 * @param endpoint         endpoint name within the service (e.g. {@code http}, {@code admin}); {@code main} by default
 * @param requestedPort    the port the service asked for (its hardcoded port), 0 for none
 * @param advertised       the address clients should connect to, or null until the port is bound
 * @param pid              owner process id, 0 for a reservation without an owner
 * @param processStart     owner process start time (epoch ms), 0 for none
 * @param createdAt        when the allocation was granted (epoch ms)
 * @param leaseMillis      lease length; owners renew well before it runs out
 * @param leaseUntil       when the lease ends unless renewed (epoch ms)
 * @param state            life-cycle state
 * @param generation       increases on every grant of this host:port, so an older owner can never overwrite a newer one
 * @param reason           why this port was chosen, in words (for logs and tables)
 */
public record Allocation(String host, int port, String service, String type, String instance, String endpoint,
                         int requestedPort, String advertised, long pid, long processStart, long createdAt,
                         long leaseMillis, long leaseUntil, AllocationState state, long generation,
                         String reason) {

    /** The owner process, or null for a reservation. */
    public Owner owner() {
        return pid == 0 ? null : new Owner(pid, processStart);
    }

    /** Token compared by the registry before a renew or a withdraw: owner process, or the reservation's generation. */
    public String ownerToken() {
        return pid == 0 ? "reservation#" + generation : new Owner(pid, processStart).token();
    }

    public String hostPort() {
        return host + ":" + port;
    }

    public boolean moved() {
        return requestedPort != 0 && requestedPort != port;
    }

    public Allocation withState(AllocationState newState) {
        return new Allocation(host, port, service, type, instance, endpoint, requestedPort, advertised, pid,
                processStart, createdAt, leaseMillis, leaseUntil, newState, generation, reason);
    }

    public Allocation withAdvertised(String address) {
        return new Allocation(host, port, service, type, instance, endpoint, requestedPort, address, pid,
                processStart, createdAt, leaseMillis, leaseUntil, state, generation, reason);
    }

    public Allocation withLeaseUntil(long until) {
        return new Allocation(host, port, service, type, instance, endpoint, requestedPort, advertised, pid,
                processStart, createdAt, leaseMillis, until, state, generation, reason);
    }

    public Allocation withOwner(Owner owner) {
        return new Allocation(host, port, service, type, instance, endpoint, requestedPort, advertised,
                owner == null ? 0 : owner.pid(), owner == null ? 0 : owner.startEpochMillis(), createdAt,
                leaseMillis, leaseUntil, state, generation, reason);
    }
}
