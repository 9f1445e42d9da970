package dev.portmanager.registry;

import dev.portmanager.Allocation;

import java.util.List;

/**
 * A registry spanning hosts (Redis): where allocations, their leases and the service directory are published
 * so that views and discovery see every host. Allocation itself never depends on it: ports are granted
 * host-locally and published afterwards, off the start-up path.
 *
 * <p>Implementations must make {@link #publish} and {@link #withdraw} one round trip each and compare the owner
 * (and the allocation's generation) so that an older owner can never overwrite or remove a newer one.
 */
public interface Registry extends AutoCloseable {

    /** Outcome of a publish. */
    enum PublishOutcome {
        /** The entry did not exist (first registration, or the registry lost its data) and was written. */
        CREATED,
        /** The entry existed for the same owner; its lease was extended and its fields refreshed. */
        RENEWED,
        /** A newer owner (higher generation) holds this host:port; nothing was written. Stop renewing. */
        SUPERSEDED
    }

    /** Registers or renews one allocation, leasing it for {@code allocation.leaseMillis()}. */
    PublishOutcome publish(Allocation allocation);

    /** Removes the allocation if this owner still holds it; returns whether it did. */
    boolean withdraw(Allocation allocation);

    /** Every live (unexpired) allocation on every host. */
    List<Allocation> allocations();

    /** The live, listening allocations of one service on every host. */
    List<Allocation> lookup(String service);

    /**
     * A number that changes whenever an entry is created, changed (other than renewed) or removed: readers poll
     * it to learn cheaply that {@link #allocations()} changed. -1 when the registry keeps no such count.
     */
    default long changeMark() {
        return -1;
    }

    /** Deletes entries whose lease ended more than {@code graceMillis} ago; returns how many. */
    int reap(long graceMillis);

    /** A short description for logs, without credentials (e.g. {@code redis://host:6379/0}). */
    String describe();

    @Override
    void close();
}
