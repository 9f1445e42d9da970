package dev.portmanager;

import dev.portmanager.config.PortManagerConfig;
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

    private RedisLink(RegistrySync sync, String describe) {
        this.sync = sync;
        this.describe = describe;
    }

    static RegistryLink start(PortManagerConfig config) {
        RegistrySync sync = RegistrySync.forConfig(config);
        return new RedisLink(sync, config.store().replaceAll("//[^@/]*@", "//***@"));
    }

    @Override
    public void track(Allocation a) {
        if (a.pid() == 0) {
            long remaining = a.leaseUntil() - System.currentTimeMillis();
            if (remaining > 0) {
                sync.track(new Allocation(a.host(), a.port(), a.service(), a.type(), a.instance(), a.endpoint(),
                        a.requestedPort(), a.advertised(), 0, 0, a.createdAt(), remaining, a.leaseUntil(),
                        a.state(), a.generation(), a.reason()));
                // Published once: a reservation ends when its ttl does, whoever is still running.
                flushThenForget(a);
            }
            return;
        }
        sync.track(a);
    }

    /** Stops renewing a reservation once its first publish went out, leaving the entry in Redis. */
    private void flushThenForget(Allocation a) {
        Thread t = new Thread(() -> {
            long deadline = a.leaseUntil();
            while (System.currentTimeMillis() < deadline) {
                if (sync.flush(Duration.ofSeconds(1))) {
                    sync.forget(a);
                    return;
                }
            }
            sync.forget(a);
        }, RegistrySync.THREAD_NAME + "-reservation");
        t.setDaemon(true);
        t.start();
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
            return List.of();
        }
        try {
            return query.apply(registry.get());
        } catch (RuntimeException e) {
            if (!readFailureLogged) {
                readFailureLogged = true;
                Log.warn("registry " + describe + " unreadable (" + e.getMessage() + "); showing this host only");
            }
            return List.of(); // Redis down: the caller still gets this host's view
        }
    }

    private Optional<Registry> awaitRegistry() {
        long deadline = System.currentTimeMillis() + READ_WAIT_MILLIS;
        Optional<Registry> r = sync.registry();
        while (r.isEmpty() && System.currentTimeMillis() < deadline) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            r = sync.registry();
        }
        return r;
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
