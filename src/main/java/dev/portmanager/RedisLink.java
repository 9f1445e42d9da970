package dev.portmanager;

import dev.portmanager.config.PortManagerConfig;
import dev.portmanager.registry.RedisStoreUri;
import dev.portmanager.registry.Registry;
import dev.portmanager.registry.RegistrySync;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * The facade's link to a Redis registry. Allocations of running processes are tracked by {@link RegistrySync}
 * (published in the background, renewed every third of the lease, withdrawn on release). Reservations have a
 * fixed end, so they are published with their remaining lifetime and never renewed. Reads wait briefly for the
 * background connection and return nothing when Redis is unreachable: the local view never fails because of it.
 */
final class RedisLink implements RegistryLink {
    /** How long a read waits for the background thread to create the client and reach Redis. */
    private static final long READ_WAIT_MILLIS = 20_000;

    private final RegistrySync sync;
    private final String describe;
    private volatile boolean readFailureLogged;
    /** Why the last registry read failed (the registry part of that view is stale), or null after a good one. */
    private volatile String staleReason;

    private RedisLink(RegistrySync sync, String describe) {
        this.sync = sync;
        this.describe = describe;
    }

    static RegistryLink start(PortManagerConfig config) {
        RegistrySync sync = RegistrySync.forConfig(config);
        return new RedisLink(sync, RedisStoreUri.describeStore(config.store()));
    }

    @Override
    public void track(Allocation a) {
        if (a.pid() == 0) {
            // A reservation: published once with an absolute end, never renewed nor withdrawn at close: it ends
            // when its ttl does, whoever made it (a CLI command exits at once), and an outage cannot extend it.
            if (a.leaseUntil() > System.currentTimeMillis()) {
                sync.publishUntil(a, a.leaseUntil());
            }
            return;
        }
        sync.track(a);
    }

    @Override
    public void untrack(Allocation a) {
        sync.untrack(a);
    }

    @Override
    public List<Allocation> allocations() {
        return read(Registry::allocations);
    }

    @Override
    public List<Allocation> lookup(String service) {
        return read(r -> r.lookup(service));
    }

    private List<Allocation> read(Function<Registry, List<Allocation>> query) {
        Optional<Registry> registry = awaitRegistry();
        if (registry.isEmpty()) {
            staleReason = "registry " + describe + " is not available (its client did not start)";
            return List.of();
        }
        try {
            List<Allocation> found = query.apply(registry.get());
            staleReason = null;
            return found;
        } catch (RuntimeException e) {
            // a RegistryTimeoutException when Redis is slow or black-holed: the read gave up after a short wait
            staleReason = e.getMessage();
            if (!readFailureLogged) {
                readFailureLogged = true;
                Log.warn("registry " + describe + " unreadable (" + e.getMessage() + "); showing this host only");
            }
            return List.of(); // Redis down: the caller still gets this host's view
        }
    }

    @Override
    public Optional<String> stale() {
        return Optional.ofNullable(staleReason);
    }

    private Optional<Registry> awaitRegistry() {
        return sync.awaitRegistry(Duration.ofMillis(READ_WAIT_MILLIS));
    }

    @Override
    public boolean flush(Duration timeout) {
        return sync.flush(timeout);
    }

    @Override
    public String describe() {
        return describe;
    }

    @Override
    public void close() {
        sync.close();
    }
}
