package dev.portmanager;

import dev.portmanager.config.PortManagerConfig;
import dev.portmanager.registry.RedisChangeFeed;
import dev.portmanager.registry.Registry;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The facade's view of the cross-host registry: nothing at all on the embedded store, a background publisher
 * plus reads on Redis. Reads that fail (Redis down) return nothing rather than failing the local view.
 */
interface RegistryLink {
    void track(Allocation a);

    void untrack(Allocation a);

    List<Allocation> allocations();

    /**
     * The registry's entries read now; unlike {@link #allocations()} a failure is thrown, so that a caller that
     * must say whether its answer is complete (the sidecar) can tell an empty registry from an unreadable one.
     *
     * @throws dev.portmanager.registry.RegistryException when the registry cannot be read
     */
    List<Allocation> readAllocations();

    List<Allocation> lookup(String service);

    boolean flush(Duration timeout);

    /** The registry's change count ({@link Registry#changeMark()}), -1 without a registry or when unreadable. */
    long changeMark();

    /**
     * A subscription to the registry's change announcements ({@link RedisChangeFeed}), once the registry client
     * exists; empty before that and without a registry. Never waits.
     */
    default Optional<RedisChangeFeed> changeFeed(Runnable onChange) {
        return Optional.empty();
    }

    /** Whether a read since the start could not reach the registry, so that a view showed this host only. */
    default boolean readFailed() {
        return false;
    }

    String describe();

    /**
     * Why the last registry read failed (timed out, unreachable), so that the registry part of the view it
     * served is stale; empty when it succeeded or there is no registry.
     */
    default Optional<String> stale() {
        return Optional.empty();
    }

    void close();

    static RegistryLink forConfig(PortManagerConfig config) {
        return config.usesRedis() ? RedisLink.start(config) : NONE;
    }

    /** The embedded store: this host only. */
    RegistryLink NONE = new RegistryLink() {
        public void track(Allocation a) {
        }

        public void untrack(Allocation a) {
        }

        public List<Allocation> allocations() {
            return List.of();
        }

        public List<Allocation> readAllocations() {
            return List.of();
        }

        public List<Allocation> lookup(String service) {
            return List.of();
        }

        public boolean flush(Duration timeout) {
            return true;
        }

        public long changeMark() {
            return -1;
        }

        public String describe() {
            return "embedded";
        }

        public void close() {
        }
    };
}
