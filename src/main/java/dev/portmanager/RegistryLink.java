package dev.portmanager;

import dev.portmanager.config.PortManagerConfig;
import dev.portmanager.registry.Registry;

import java.time.Duration;
import java.util.List;

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

    /** Whether a read since the start could not reach the registry, so that a view showed this host only. */
    default boolean readFailed() {
        return false;
    }

    String describe();

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

        public String describe() {
            return "embedded";
        }

        public void close() {
        }
    };
}
