package dev.portmanager.http;

import dev.portmanager.Allocation;
import dev.portmanager.AllocationRequest;
import dev.portmanager.AllocationState;
import dev.portmanager.Conflict;
import dev.portmanager.Endpoint;
import dev.portmanager.InvalidRequestException;
import dev.portmanager.Log;
import dev.portmanager.PortManager;
import dev.portmanager.RangeExhaustedException;
import dev.portmanager.RangeUtilization;
import dev.portmanager.config.KnownService;
import dev.portmanager.discovery.HealthProbe;
import dev.portmanager.registry.RedisStoreUri;

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

    private final PortManager pm;
    private final HealthProbe probe = new HealthProbe(PROBE_TIMEOUT_MILLIS);
    /** Checks of many instances run side by side so that one dead remote host costs one timeout, not n. */
    private volatile ExecutorService checks;
    private volatile ExecutorService observer;
    private final InstanceTracker tracker;

    public LocalApi(PortManager pm) {
        this.pm = pm;
        this.tracker = new InstanceTracker(pm);
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
        return pm.allocations();
    }

    @Override
    public List<RangeUtilization> utilization() {
        return pm.utilization();
    }

    @Override
    public List<Conflict> conflicts() {
        return pm.conflicts();
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
        List<Allocation> instances = tracker.observe();
        List<Endpoint> endpoints = instances.stream().map(Endpoint::of).toList();
        // Dead means not accepting connections: a live process failing its HTTP health path keeps its port.
        List<HealthProbe.Result> results = checkAll(endpoints, true);
        List<InstanceView> dropped = new ArrayList<>();
        int up = 0;
        for (int i = 0; i < instances.size(); i++) {
            Allocation a = instances.get(i);
            if (results.get(i).up()) {
                up++;
                continue;
            }
            if (!a.host().equals(pm.host())) {
                continue; // another host's entry: its own manager withdraws it, or its lease ends
            }
            // Generation-checked: a port that a new owner took meanwhile is left alone.
            pm.release(a);
            tracker.forget(a);
            dropped.add(InstanceView.of(endpoints.get(i), "DOWN", tracker.ownerGone(endpoints.get(i))));
        }
        return new RefreshResult(instances.size(), up, dropped);
    }

    @Override
    public SidecarStatus status() {
        return new SidecarStatus("UP", pm.host(), describeStore(), pm.allocations().size());
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
        return tracker.observe().stream().map(Endpoint::of).toList();
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

    /** Closes the manager: the caller handed it over. */
    @Override
    public void close() {
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
