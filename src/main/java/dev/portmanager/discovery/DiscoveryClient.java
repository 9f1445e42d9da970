package dev.portmanager.discovery;

import dev.portmanager.Endpoint;
import dev.portmanager.PortManager;
import dev.portmanager.config.PortManagerConfig;
import dev.portmanager.http.PortManagerApi;
import dev.portmanager.http.RemoteApi;

import dev.portmanager.watch.ChangeIndex;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Finds services by name, for code moving off hardcoded URLs:
 *
 * <pre>{@code
 * try (DiscoveryClient discovery = DiscoveryClient.create()) {
 *     URI emotion = discovery.baseUri("emotion");        // http://127.0.0.1:8301
 * }
 * }</pre>
 *
 * It reads the same configuration as everything else (config file, {@code PORTMANAGER_STATE_DIR},
 * {@code PORTMANAGER_STORE}), or asks a sidecar when {@code PORTMANAGER_URL} is set. Nothing is opened until the
 * first lookup: no threads, no Redis connection. Thread-safe.
 */
public final class DiscoveryClient implements AutoCloseable {
    private static final int CHECK_TIMEOUT_MILLIS = 300;

    private final PortManagerConfig config;
    private final URI sidecar;
    private final HealthProbe probe = new HealthProbe(CHECK_TIMEOUT_MILLIS);
    /** Where the next pickHealthy starts, so that callers spread over healthy instances. */
    private final AtomicInteger turn = new AtomicInteger();
    private PortManager manager;
    private PortManagerApi remote;
    private ChangeIndex changes;
    private final List<ServiceWatch> watches = new ArrayList<>();
    private boolean closed;

    private DiscoveryClient(PortManagerConfig config, URI sidecar) {
        this.config = config;
        this.sidecar = sidecar;
    }

    /** From the environment: {@code PORTMANAGER_URL} if set, else the config file and store variables. */
    public static DiscoveryClient create() {
        String url = ClientSettings.blankToNull(System.getenv(ClientSettings.URL_ENV));
        if (url != null) {
            return connect(URI.create(url));
        }
        return create(ClientSettings.resolve(null, null, null));
    }

    /** Reads the store of {@code config} directly (embedded state directory or Redis). */
    public static DiscoveryClient create(PortManagerConfig config) {
        return new DiscoveryClient(config, null);
    }

    /** Asks the sidecar at {@code url} (e.g. {@code http://127.0.0.1:8081}). */
    public static DiscoveryClient connect(URI url) {
        return new DiscoveryClient(null, RemoteApi.checkBase(url));
    }

    /** The live endpoints of {@code service} (empty when none); not checked, see {@link #pickHealthy}. */
    public List<Endpoint> lookup(String service) {
        if (sidecar != null) {
            return remote().lookup(service);
        }
        return manager().lookup(service);
    }

    /**
     * One instance that accepts a TCP connection now, taking turns among the healthy ones; empty when none does.
     */
    public Optional<Endpoint> pickHealthy(String service) {
        List<Endpoint> all = new ArrayList<>(lookup(service));
        if (all.isEmpty()) {
            return Optional.empty();
        }
        int start = Math.floorMod(turn.getAndIncrement(), all.size());
        for (int i = 0; i < all.size(); i++) {
            Endpoint e = all.get((start + i) % all.size());
            if (probe.accepts(e.address(), e.port())) {
                return Optional.of(e);
            }
        }
        return Optional.empty();
    }

    /**
     * {@code http://address:port} of a healthy instance.
     *
     * @throws ServiceUnavailableException when no instance is registered or none accepts connections
     */
    public URI baseUri(String service) {
        Optional<Endpoint> e = pickHealthy(service);
        if (e.isPresent()) {
            return URI.create("http://" + e.get().authority());
        }
        int registered = lookup(service).size();
        String where = sidecar != null ? "the sidecar at " + sidecar
                : config.usesRedis() ? "the registry" : "state directory " + config.stateDir();
        throw new ServiceUnavailableException(registered == 0
                ? "no live instance of '" + service + "' is registered in " + where
                : registered + " instance(s) of '" + service + "' registered in " + where
                        + ", but none accepts connections");
    }

    /**
     * Calls {@code listener} with the live endpoints of {@code service} now, and again whenever they change
     * (an instance starts, stops or moves), on a daemon thread of this client; a change is seen within a second.
     * Close the returned watch, or this client, to stop.
     */
    public synchronized ServiceWatch watch(String service, Consumer<List<Endpoint>> listener) {
        if (closed) {
            throw new IllegalStateException("this DiscoveryClient is closed");
        }
        ServiceWatch w;
        if (sidecar != null) {
            PortManagerApi api = remote();
            w = new ServiceWatch(service, this::lookup, api::index, api::awaitChange, listener);
        } else {
            if (changes == null) {
                PortManager pm = manager();
                changes = ChangeIndex.of(pm);
            }
            ChangeIndex index = changes;
            w = new ServiceWatch(service, this::lookup, index::current, (known, wait) -> {
                try {
                    return index.await(known, wait);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("watch interrupted");
                }
            }, listener);
        }
        watches.add(w);
        return w;
    }

    private synchronized PortManager manager() {
        if (closed) {
            throw new IllegalStateException("this DiscoveryClient is closed");
        }
        if (manager == null) {
            manager = PortManager.open(config);
        }
        return manager;
    }

    private synchronized PortManagerApi remote() {
        if (closed) {
            throw new IllegalStateException("this DiscoveryClient is closed");
        }
        if (remote == null) {
            // A sidecar listening beyond loopback wants its token on reads too.
            String token = System.getenv("PORTMANAGER_TOKEN");
            remote = new RemoteApi(sidecar, token == null || token.isBlank() ? null : token.trim());
        }
        return remote;
    }

    @Override
    public synchronized void close() {
        closed = true;
        watches.forEach(ServiceWatch::close);
        if (changes != null) {
            changes.close();
        }
        if (manager != null) {
            manager.close();
        }
        if (remote != null) {
            remote.close();
        }
    }
}
