package dev.portmanager.http;

import dev.portmanager.Allocation;
import dev.portmanager.AllocationRequest;
import dev.portmanager.AllocationState;
import dev.portmanager.Conflict;
import dev.portmanager.Endpoint;
import dev.portmanager.InvalidRequestException;
import dev.portmanager.Log;
import dev.portmanager.Owner;
import dev.portmanager.PortManager;
import dev.portmanager.RangeExhaustedException;
import dev.portmanager.RangeUtilization;
import dev.portmanager.config.KnownService;
import dev.portmanager.discovery.HealthProbe;
import dev.portmanager.registry.RedisStoreUri;
import dev.portmanager.watch.ChangeIndex;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The API run against a {@link PortManager} in this process: what {@code serve} exposes and what the CLI uses
 * without {@code --url}. Validates every input before it reaches the core, so that a malformed request is a 400
 * and never a state change.
 */
public final class LocalApi implements PortManagerApi {
    private static final int PROBE_TIMEOUT_MILLIS = 1000;
    /**
     * How long a one-shot command waits for the registry part (the connection included) before it shows this
     * host's data alone: as long as the registry link waits for its connection.
     */
    private static final Duration COMMAND_PATIENCE = Duration.ofSeconds(20);
    /** How long a sidecar answer waits for the registry part before it goes out with the last one, marked stale. */
    public static final Duration SIDECAR_PATIENCE = Duration.ofMillis(1500);

    private final PortManager pm;
    private final HealthProbe probe = new HealthProbe(PROBE_TIMEOUT_MILLIS);
    /** Checks of many instances run side by side so that one dead remote host costs one timeout, not n. */
    private volatile ExecutorService checks;
    private volatile ExecutorService observer;
    private final InstanceTracker tracker;
    private final ChangeIndex changes;
    private volatile boolean servedStale;
    /** Null on the embedded store: there is no registry to wait for. */
    private final RegistryReads registry;

    /** For one-shot commands: a view waits for the registry as long as the registry link would. */
    public LocalApi(PortManager pm) {
        this(pm, COMMAND_PATIENCE);
    }

    /**
     * @param registryPatience how long a view waits for the registry part, counted from when the current registry
     *                         read began ({@link #SIDECAR_PATIENCE} for the sidecar, which must keep answering)
     */
    public LocalApi(PortManager pm, Duration registryPatience) {
        this.pm = pm;
        this.tracker = new InstanceTracker(pm);
        this.changes = ChangeIndex.of(pm);
        this.registry = pm.config().usesRedis() ? new RegistryReads(pm::registryEntries, registryPatience) : null;
    }

    public PortManager portManager() {
        return pm;
    }

    @Override
    public Allocation allocate(AllocateBody body) {
        if (body == null) {
            throw ApiException.badRequest("expected a JSON object {\"service\": name, \"type\"?: type, "
                    + "\"preferredPort\"?: 1-65535, \"ttl\"?: duration}");
        }
        String service = Validation.name("service", body.service());
        AllocationRequest request = AllocationRequest.forService(service);
        if (body.type() != null) {
            request = request.type(Validation.type(pm.config(), body.type()));
        }
        if (body.preferredPort() != null) {
            request = request.preferredPort(Validation.port("preferredPort", body.preferredPort()));
        }
        Duration ttl = null;
        if (body.ttl() != null) {
            ttl = Validation.ttl(body.ttl());
        }
        try {
            return pm.allocate(request.reservation(ttl));
        } catch (InvalidRequestException e) {
            throw ApiException.badRequest(e.getMessage());
        } catch (RangeExhaustedException e) {
            throw new ApiException(409, "range_exhausted", e.getMessage());
        }
    }

    @Override
    public Allocation release(int port) {
        Validation.port("port", port);
        return pm.release(port).orElseThrow(() -> ApiException.notFound("nothing holds port " + port + " on "
                + pm.host()));
    }

    @Override
    public List<Allocation> allocations() {
        return pm.allocations(pm.localAllocations(), registryEntries());
    }

    @Override
    public List<RangeUtilization> utilization() {
        return pm.utilization();
    }

    @Override
    public List<Conflict> conflicts() {
        return pm.conflicts(registryEntries());
    }

    /**
     * The registry's entries for one answer, never waiting long: see {@link RegistryReads}. Its status goes to
     * {@link RegistryFreshness} for the response header.
     */
    private List<Allocation> registryEntries() {
        if (registry == null) {
            return List.of();
        }
        RegistryReads.Snapshot s = registry.read();
        RegistryFreshness.record(s.status());
        if (s.status().stale()) {
            servedStale = true;
        }
        return s.entries();
    }

    /** Whether a view answered so far went out without a current registry part (a command's exit status). */
    public boolean servedStale() {
        return servedStale;
    }

    @Override
    public List<ServiceView> services() {
        Map<String, List<Endpoint>> byName = instances();
        List<ServiceView> views = new ArrayList<>();
        for (Map.Entry<String, List<Endpoint>> e : byName.entrySet()) {
            views.add(view(e.getKey(), e.getValue()));
        }
        return views;
    }

    @Override
    public Optional<ServiceView> service(String name) {
        Validation.name("service name", name);
        List<Endpoint> endpoints = instances(name);
        if (endpoints.isEmpty() && !pm.config().services().containsKey(name)) {
            return Optional.empty();
        }
        return Optional.of(view(name, endpoints));
    }

    @Override
    public List<Endpoint> lookup(String name) {
        Validation.name("service name", name);
        return pm.lookup(name);
    }

    @Override
    public Optional<HealthReport> health(String name) {
        Validation.name("service name", name);
        List<Endpoint> endpoints = instances(name);
        if (endpoints.isEmpty() && !pm.config().services().containsKey(name)) {
            return Optional.empty();
        }
        List<HealthProbe.Result> results = checkAll(endpoints);
        boolean up = results.stream().anyMatch(HealthProbe.Result::up);
        return Optional.of(new HealthReport(name, up ? "UP" : "DOWN", results));
    }

    @Override
    public RefreshResult refresh() {
        List<Allocation> instances = observeAllocations();
        List<Endpoint> endpoints = instances.stream().map(Endpoint::of).toList();
        // Dead means not accepting connections: a live process failing its HTTP health path keeps its port.
        List<HealthProbe.Result> results = checkAll(endpoints, true);
        List<InstanceView> dropped = new ArrayList<>();
        List<InstanceView> unhealthy = new ArrayList<>();
        int up = 0;
        for (int i = 0; i < instances.size(); i++) {
            Allocation a = instances.get(i);
            if (results.get(i).up()) {
                up++;
                continue;
            }
            InstanceView down = InstanceView.of(endpoints.get(i), "DOWN", tracker.ownerGone(endpoints.get(i)));
            if (!a.host().equals(pm.host())) {
                unhealthy.add(down); // another host's entry: its own manager withdraws it, or its lease ends
                continue;
            }
            Owner owner = a.owner();
            if (owner != null && owner.isAlive()) {
                // Its process still runs here: not answering (a name that no longer resolves, a listener closed
                // for a while, an overloaded service) is reported, never a reason to take its port.
                unhealthy.add(down);
                continue;
            }
            // Generation-checked: a port that a new owner took meanwhile is left alone.
            pm.release(a);
            tracker.forget(a);
            dropped.add(down);
        }
        return new RefreshResult(instances.size(), up, dropped, unhealthy);
    }

    @Override
    public SidecarStatus status() {
        // Never waits on the registry: the registry part is the last one read, with its status.
        if (registry == null) {
            return new SidecarStatus("UP", pm.host(), describeStore(), pm.localAllocations().size(),
                    RegistryStatus.NONE);
        }
        RegistryReads.Snapshot s = registry.peek();
        RegistryFreshness.record(s.status());
        return new SidecarStatus("UP", pm.host(), describeStore(),
                pm.allocations(pm.localAllocations(), s.entries()).size(), s.status());
    }

    private String describeStore() {
        if (!pm.config().usesRedis()) {
            return "embedded " + pm.config().stateDir();
        }
        // Never echo credentials: keep only scheme, hosts, ports, database and master name.
        return RedisStoreUri.describeStore(pm.config().store());
    }

    /**
     * Every service's instances: the live, listening allocations on every host the store knows, plus those seen
     * alive within the last lease that have since vanished (an owner killed with -9 is dropped by the core at
     * once; here it stays visible as DOWN until its lease would have run out, then it is gone).
     */
    private Map<String, List<Endpoint>> instances() {
        Map<String, Map<String, Endpoint>> merged = new TreeMap<>();
        for (Endpoint ep : observe()) {
            merged.computeIfAbsent(ep.service(), k -> new LinkedHashMap<>())
                    .putIfAbsent(ep.host() + ":" + ep.port() + "/" + ep.endpoint(), ep);
        }
        Map<String, List<Endpoint>> out = new LinkedHashMap<>();
        merged.forEach((name, eps) -> out.put(name, List.copyOf(eps.values())));
        return out;
    }

    private List<Endpoint> instances(String name) {
        return observe().stream().filter(e -> e.service().equals(name)).toList();
    }

    /** The instances to show: live ones plus recently killed ones (see {@link InstanceTracker}). */
    private List<Endpoint> observe() {
        return observeAllocations().stream().map(Endpoint::of).toList();
    }

    private List<Allocation> observeAllocations() {
        return tracker.observe(allocations());
    }

    /**
     * For a long-running sidecar: notice instances every {@code interval} even when nobody asks, so that one
     * killed between two requests still shows as DOWN for a lease. The thread is a daemon and ends at close.
     */
    public void observeEvery(Duration interval) {
        ScheduledExecutorService s = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "portmanager-observer");
            t.setDaemon(true);
            return t;
        });
        s.scheduleWithFixedDelay(() -> {
            try {
                changes.current(); // starts the watch index, whose changes count moves even with no client
                observe();
            } catch (RuntimeException e) {
                Log.warn("could not read the store: " + e.getMessage());
            }
        }, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
        observer = s;
    }

    private ServiceView view(String name, List<Endpoint> endpoints) {
        List<HealthProbe.Result> results = checkAll(endpoints);
        List<InstanceView> views = new ArrayList<>();
        for (int i = 0; i < endpoints.size(); i++) {
            Endpoint e = endpoints.get(i);
            views.add(InstanceView.of(e, results.get(i).status(), tracker.ownerGone(e)));
        }
        return new ServiceView(name, views);
    }

    private List<HealthProbe.Result> checkAll(List<Endpoint> endpoints) {
        return checkAll(endpoints, false);
    }

    private List<HealthProbe.Result> checkAll(List<Endpoint> endpoints, boolean tcpOnly) {
        if (endpoints.size() <= 1) {
            return endpoints.stream().map(e -> check(e, tcpOnly)).toList();
        }
        ExecutorService pool = pool();
        List<CompletableFuture<HealthProbe.Result>> futures = endpoints.stream()
                .map(e -> CompletableFuture.supplyAsync(() -> check(e, tcpOnly), pool)).toList();
        return futures.stream().map(CompletableFuture::join).toList();
    }

    private HealthProbe.Result check(Endpoint e, boolean tcpOnly) {
        KnownService known = tcpOnly ? null : pm.config().services().get(e.service());
        return probe.check(e, known == null ? null : known.healthPath());
    }

    private ExecutorService pool() {
        ExecutorService p = checks;
        if (p == null) {
            synchronized (this) {
                if (checks == null) {
                    checks = Executors.newFixedThreadPool(8, r -> {
                        Thread t = new Thread(r, "portmanager-health-check");
                        t.setDaemon(true);
                        return t;
                    });
                }
                p = checks;
            }
        }
        return p;
    }

    /** Calls {@code listener} with every live allocation whenever the watch index changes (on its poller). */
    public void onChange(java.util.function.Consumer<List<Allocation>> listener) {
        changes.onChange(listener);
    }

    @Override
    public long index() {
        return changes.current();
    }

    @Override
    public long awaitChange(long known, Duration wait) {
        try {
            return changes.await(known, wait);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return changes.current();
        }
    }

    /** Closes the manager: the caller handed it over. */
    @Override
    public void close() {
        changes.close();
        if (registry != null) {
            registry.close();
        }
        ExecutorService o = observer;
        if (o != null) {
            o.shutdownNow();
        }
        ExecutorService p = checks;
        if (p != null) {
            p.shutdownNow();
        }
        pm.close();
    }

}
