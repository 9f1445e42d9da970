package dev.portmanager;

import dev.portmanager.config.ConfigFile;
import dev.portmanager.config.PortManagerConfig;
import dev.portmanager.host.HostAllocator;
import dev.portmanager.host.HostIdentity;
import dev.portmanager.host.HostViews;
import dev.portmanager.host.StateDirectory;

import dev.portmanager.registry.RedisChangeFeed;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The embedded PortManager: grants ports from typed ranges on this host, atomically across every process that
 * shares the state directory, and (when a Redis store is configured) publishes them to the registry in the
 * background. Thread-safe; open one per process and close it at exit.
 *
 * <pre>{@code
 * try (PortManager pm = PortManager.open()) {
 *     Allocation a = pm.allocatePort("my-service", "ml", 8088);
 *     // bind a.port() ...
 * }
 * }</pre>
 */
public final class PortManager implements AutoCloseable {
    private final PortManagerConfig config;
    private final HostAllocator allocator;
    private final HostViews views;
    private final RegistryLink registry;
    /** Allocations this manager granted to its own process, released at close. */
    private final Map<String, Allocation> owned = new ConcurrentHashMap<>();
    private volatile boolean closed;

    private PortManager(PortManagerConfig config, RegistryLink registry) {
        this.config = config;
        StateDirectory state = new StateDirectory(config.stateDir());
        this.allocator = new HostAllocator(config, state, HostIdentity.hostName(config.host()));
        this.views = new HostViews(config, allocator);
        this.registry = registry;
    }

    /** Opens a manager on the defaults plus the config file found by {@link ConfigFile#discover()}. */
    public static PortManager open() {
        return open(ConfigFile.discover());
    }

    /** Opens a manager on an explicit configuration. */
    public static PortManager open(PortManagerConfig config) {
        return new PortManager(config, RegistryLink.forConfig(config));
    }

    public PortManagerConfig config() {
        return config;
    }

    /** This host's name as recorded in allocations. */
    public String host() {
        return allocator.host();
    }

    /**
     * The design's call: a port for {@code service}, owned by this JVM. {@code type} and {@code preferredPort} may
     * be null to take them from the known-services table.
     */
    public Allocation allocatePort(String service, String type, Integer preferredPort) {
        AllocationRequest r = AllocationRequest.forService(service).type(type)
                .preferredPort(preferredPort == null ? 0 : preferredPort);
        return allocate(r);
    }

    /**
     * Grants a port by the allocation rules (preferred, sticky, range, dynamic pool).
     *
     * @throws InvalidRequestException  when the request is malformed (bad name, unknown type, port outside 1-65535)
     * @throws RangeExhaustedException  when neither the type's range nor the dynamic pool has a port left
     */
    public Allocation allocate(AllocationRequest request) {
        checkOpen();
        Allocation a = allocator.allocate(request);
        track(a); // published in the background: every allocation is visible across hosts
        return a;
    }

    /**
     * {@link #allocate}, for a caller that binds the granted port at once and, when that bind fails with "address
     * in use", withdraws the grant ({@link #withdraw}) and asks again with the port excluded: the preferred port is
     * granted on its claim alone, without reading the kernel's listening table (the bind is the final arbiter).
     */
    public Allocation allocateForBind(AllocationRequest request) {
        checkOpen();
        Allocation a = allocator.allocate(request, true);
        track(a);
        return a;
    }

    /** See {@link HostAllocator#warmUp}: prepares the first {@link #allocateForBind} without claiming anything. */
    public void warmUp(AllocationRequest likely) {
        checkOpen();
        allocator.warmUp(likely);
    }

    /**
     * Takes back a grant whose bind failed: released without a cool-down, and the instance's sticky port is left
     * as it was (the port was never this instance's).
     */
    public boolean withdraw(Allocation allocation) {
        return letGo(allocation, true);
    }

    /**
     * Records that the allocation's port is now bound and listening (so discovery returns it) and starts
     * publishing and renewing it in the registry. {@code advertised} may be null to use the host name.
     */
    public Allocation markListening(Allocation allocation, String advertised) {
        checkOpen();
        Allocation listening = recordListening(allocation, advertised, null);
        track(listening);
        return listening;
    }

    /**
     * Records a port bound outside the allocation rules (a port-0 bind, or one left alone by choice) as a
     * listening allocation of this process, so that it is discoverable like the others.
     */
    public Allocation registerListening(String service, String type, String endpoint, int port, String advertised) {
        checkOpen();
        Allocation a = allocator.recordListening(service, type == null ? PortManagerConfig.DYNAMIC_TYPE : type,
                endpoint == null ? "main" : endpoint, port, advertised != null ? advertised : defaultAdvertised(),
                Owner.current());
        track(a);
        return a;
    }

    /**
     * The same service, instance and endpoint listening in another live process of this host, at the instance's
     * previous port: a successor binding with SO_REUSEPORT can share that port and then {@link #takeOver} it.
     */
    public Optional<Allocation> listeningPeer(AllocationRequest request) {
        checkOpen();
        return Optional.ofNullable(allocator.listeningPeer(request, Owner.current()));
    }

    /**
     * Takes a peer's listening claim over for this process, which has bound the same port beside it
     * (SO_REUSEPORT): the peer may exit without withdrawing it. Empty when the peer's claim changed meanwhile.
     */
    public Optional<Allocation> takeOver(Allocation peer, String advertised) {
        checkOpen();
        Optional<Allocation> taken = allocator.takeOver(peer, advertised != null ? advertised : defaultAdvertised(),
                Owner.current());
        taken.ifPresent(this::track);
        return taken;
    }

    /**
     * Marks the allocation listening and hands it to another process (the {@code run} launcher's child), so it
     * lives exactly as long as that process; this manager no longer releases it at close.
     */
    public Allocation markListening(Allocation allocation, String advertised, Owner owner) {
        checkOpen();
        Allocation listening = recordListening(allocation, advertised, owner);
        owned.remove(allocation.hostPort());
        // A new owner is a new registry entry: withdraw this process's one first (same generation, other owner,
        // so an upsert would be refused as coming from an older owner).
        registry.untrack(allocation);
        registry.track(listening);
        return listening;
    }

    /** Marks the claim listening (handing it to {@code newOwner} when not null), or fails if it is not held. */
    private Allocation recordListening(Allocation allocation, String advertised, Owner newOwner) {
        String address = advertised != null ? advertised : defaultAdvertised();
        Optional<Allocation> marked = allocator.markListening(allocation, address, newOwner);
        if (marked.isEmpty()) { // not orElseThrow(lambda): an app's first bind pays for every lambda it meets
            throw new PortManagerException(allocation.hostPort() + " is no longer held by " + allocation.service()
                    + " (released or taken over)");
        }
        return marked.get();
    }

    private void track(Allocation a) {
        if (a.pid() == Owner.current().pid()) {
            owned.put(a.hostPort(), a);
        }
        registry.track(a);
    }

    /** Advertised address when the caller names none: configured, else the host name. */
    private String defaultAdvertised() {
        return config.advertise() != null ? config.advertise() : allocator.host();
    }

    /** Gives back an allocation if its owner (or reservation) still holds it. */
    public boolean release(Allocation allocation) {
        return letGo(allocation, false);
    }

    private boolean letGo(Allocation allocation, boolean withdraw) {
        checkOpen();
        owned.remove(allocation.hostPort());
        boolean done = withdraw ? allocator.withdraw(allocation) : allocator.release(allocation);
        registry.untrack(allocation);
        return done;
    }

    /** Releases whatever holds {@code port} on this host; empty when nothing did. */
    public Optional<Allocation> release(int port) {
        checkOpen();
        Optional<Allocation> done = allocator.release(port);
        done.ifPresent(a -> {
            owned.remove(a.hostPort());
            registry.untrack(a);
        });
        return done;
    }

    /** Releases every allocation of one instance id on this host. */
    public List<Allocation> releaseInstance(String instance) {
        checkOpen();
        List<Allocation> released = new ArrayList<>();
        for (Allocation a : views.allocations()) {
            if (a.instance().equals(instance) && allocator.release(a)) {
                owned.remove(a.hostPort());
                registry.untrack(a);
                released.add(a);
            }
        }
        return released;
    }

    /** Live allocations (reserved, allocated, listening): this host's, plus other hosts' from the registry. */
    public List<Allocation> allocations() {
        return allocations(views.allocations(), registry.allocations());
    }

    /** This host's live allocations from the state directory alone: never waits on the registry. */
    public List<Allocation> localAllocations() {
        return views.allocations();
    }

    /**
     * The registry's entries, read now (empty on the embedded store). A caller that must not wait on the
     * registry reads it on a thread of its own and merges with {@link #allocations(List, List)}.
     *
     * @throws dev.portmanager.registry.RegistryException when the registry cannot be read
     */
    public List<Allocation> registryEntries() {
        return registry.readAllocations();
    }

    /** {@code local} (this host's view) merged with {@code registered} (registry entries), as allocations() does. */
    public List<Allocation> allocations(List<Allocation> local, List<Allocation> registered) {
        Map<String, Allocation> all = new LinkedHashMap<>();
        for (Allocation a : local) {
            all.put(a.hostPort(), a);
        }
        for (Allocation a : registered) {
            if (isLiveElsewhere(a)) {
                all.putIfAbsent(a.hostPort(), a); // this host's state directory comes first for this host
            }
        }
        List<Allocation> result = new ArrayList<>(all.values());
        result.sort(Comparator.comparing(Allocation::host).thenComparingInt(Allocation::port));
        return result;
    }

    /** Live allocations of this host only, from the state directory (no registry read). */
    public List<Allocation> hostAllocations() {
        return views.allocations();
    }

    /**
     * Live allocations in the registry, every host's; empty on the embedded store or while Redis is unreachable.
     * The first call after start-up may wait (seconds) for the background thread to create the Redis client.
     */
    public List<Allocation> registryAllocations() {
        return registry.allocations();
    }

    /**
     * A number that changes whenever the registry's allocations change other than by a renewal (one GET), so
     * that a reader can poll it and re-read {@link #registryAllocations()} only then. -1 on the embedded store,
     * before the Redis client exists, and while Redis is unreachable.
     */
    public long registryChangeMark() {
        return registry.changeMark();
    }

    /**
     * A subscription that runs {@code onChange} whenever the registry announces a change (Redis pub/sub), for
     * watchers that must learn of changes at once; empty on the embedded store and until the Redis client exists
     * (ask again later). The caller owns it: see {@link RedisChangeFeed} for how it is kept up.
     */
    public Optional<RedisChangeFeed> registryChangeFeed(Runnable onChange) {
        return registry.changeFeed(onChange);
    }

    /** Usage per range on this host. */
    public List<RangeUtilization> utilization() {
        return views.utilization();
    }

    /** FOREIGN, SQUATTER, DUPLICATE, STALE and CONTENDED findings. */
    public List<Conflict> conflicts() {
        return conflicts(registry.allocations());
    }

    /** The conflict view with {@code registered} as the registry's entries (empty: this host's findings only). */
    public List<Conflict> conflicts(List<Allocation> registered) {
        List<Conflict> found = new ArrayList<>(views.conflicts());
        // DUPLICATE: the registry holds an entry for one of this host's ports from another owner (another state
        // directory on this host, or two hosts registering under one name).
        if (registered.isEmpty()) {
            return found; // the embedded store, or an empty registry: no second reading of the claims
        }
        Map<Integer, Allocation> local = new HashMap<>();
        views.allocations().forEach(a -> local.put(a.port(), a));
        for (Allocation remote : registered) {
            Allocation mine = local.get(remote.port());
            if (remote.host().equals(host()) && mine != null && !mine.ownerToken().equals(remote.ownerToken())
                    && !mine.service().equals(remote.service())) {
                found.add(new Conflict(ConflictKind.DUPLICATE, host(), remote.port(),
                        List.of(mine.service(), remote.service()), remote.pid(), null,
                        host() + ":" + remote.port() + " is allocated to " + mine.service() + " here and to "
                                + remote.service() + " in the registry " + registry.describe()));
            }
        }
        return found;
    }

    /** The live, listening endpoints of a service: this host's, plus every other host's with a registry. */
    public List<Endpoint> lookup(String service) {
        Map<String, Endpoint> found = new LinkedHashMap<>();
        for (Allocation a : views.listening(service)) {
            found.put(a.hostPort(), Endpoint.of(a));
        }
        for (Allocation a : registry.lookup(service)) {
            if (isLiveElsewhere(a)) {
                found.putIfAbsent(a.hostPort(), Endpoint.of(a));
            }
        }
        return new ArrayList<>(found.values());
    }

    /**
     * Whether a registry entry should be shown next to this host's own view: every other host's entry; and an
     * entry of this host only when it was made through another state directory (this one has never claimed the
     * port: what it has claimed, it knows better than the registry) and its owner process still runs here (the
     * registry learns of a crash only when the lease ends; this host can tell at once).
     */
    private boolean isLiveElsewhere(Allocation a) {
        if (!a.host().equals(host())) {
            return true;
        }
        if (allocator.state().read(a.port()) != null) {
            return false;
        }
        Owner owner = a.owner();
        return owner == null || owner.isAlive();
    }

    /** Every service with a live endpoint, by name. */
    public Map<String, List<Endpoint>> services() {
        Map<String, List<Endpoint>> byName = new TreeMap<>();
        for (Allocation a : allocations()) {
            if (a.state() == AllocationState.LISTENING) {
                byName.computeIfAbsent(a.service(), s -> new ArrayList<>()).add(Endpoint.of(a));
            }
        }
        return byName;
    }

    /**
     * Why the registry part of the last view (allocations, lookup, services, conflicts) is stale: the registry
     * read behind it timed out or failed, so only this host's part is current. Empty when that read succeeded or
     * the store is embedded. Registry reads give up after a short timeout, so a view never hangs on a sick Redis.
     */
    public Optional<String> registryStale() {
        return registry.stale();
    }

    /**
     * Whether a view or lookup of this manager could not read the registry and so showed this host only (always
     * false on the embedded store).
     */
    public boolean registryReadFailed() {
        return registry.readFailed();
    }

    /** Waits until pending registry writes are done (or the timeout passes); true when nothing is pending. */
    public boolean flushRegistry(Duration timeout) {
        return registry.flush(timeout);
    }

    /** Withdraws this process's registrations, releases its allocations and stops background work. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (Allocation a : owned.values()) {
            try {
                allocator.release(a);
                registry.untrack(a);
            } catch (RuntimeException e) {
                Log.warn("could not release " + a.hostPort() + " at close: " + e.getMessage());
            }
        }
        owned.clear();
        registry.close();
        allocator.state().close();
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("this PortManager is closed");
        }
    }
}
