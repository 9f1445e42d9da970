package dev.portmanager;

import dev.portmanager.config.PortManagerConfig;
import dev.portmanager.registry.RedisChangeFeed;
import dev.portmanager.registry.RedisRegistry;
import dev.portmanager.registry.RedisStoreUri;
import dev.portmanager.registry.Registry;
import dev.portmanager.registry.RegistrySync;
import dev.portmanager.registry.RegistryUnavailableException;

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
    /** A read returned this host's view only (kept for the CLI's exit status). */
    private volatile boolean readFailed;
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
    public List<Allocation> readAllocations() {
        Optional<Registry> registry = awaitRegistry();
        try {
            if (registry.isEmpty()) {
                throw new RegistryUnavailableException("not reached in " + READ_WAIT_MILLIS / 1000 + " s");
            }
            List<Allocation> found = registry.get().allocations();
            staleReason = null;
            return found;
        } catch (RuntimeException e) {
            readFailed = true; // a command's exit status says its view lacks other hosts
            staleReason = e.getMessage();
            if (!readFailureLogged) {
                readFailureLogged = true;
                Log.warn("registry " + describe + " unreadable (" + e.getMessage() + "); showing this host only");
            }
            throw e;
        }
    }

    @Override
    public List<Allocation> lookup(String service) {
        return read(r -> r.lookup(service));
    }

    /** Never waits for the registry to be created: -1 until then, and while Redis is unreachable. */
    @Override
    public long changeMark() {
        Optional<Registry> registry = sync.registry();
        if (registry.isEmpty()) {
            return -1;
        }
        try {
            return registry.get().changeMark();
        } catch (RuntimeException e) {
            return -1;
        }
    }

    @Override
    public Optional<RedisChangeFeed> changeFeed(Runnable onChange) {
        return sync.registry().filter(RedisRegistry.class::isInstance)
                .map(r -> ((RedisRegistry) r).changeFeed(onChange));
    }

    private List<Allocation> read(Function<Registry, List<Allocation>> query) {
        Optional<Registry> registry = awaitRegistry();
        if (registry.isEmpty()) {
            readFailed = true;
            staleReason = "registry " + describe + " not reached in " + READ_WAIT_MILLIS / 1000 + " s";
            if (!readFailureLogged) {
                readFailureLogged = true;
                Log.warn("registry " + describe + " not reached in " + READ_WAIT_MILLIS / 1000
                        + " s; showing this host only");
            }
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
            readFailed = true;
            return List.of(); // Redis down: the caller still gets this host's view
        }
    }

    private Optional<Registry> awaitRegistry() {
        return sync.awaitRegistry(Duration.ofMillis(READ_WAIT_MILLIS));
    }

    @Override
    public Optional<String> stale() {
        return Optional.ofNullable(staleReason);
    }

    @Override
    public boolean readFailed() {
        return readFailed;
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
