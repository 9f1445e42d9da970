package dev.portmanager.http;

import dev.portmanager.Allocation;
import dev.portmanager.AllocationRequest;
import dev.portmanager.AllocationState;
import dev.portmanager.Conflict;
import dev.portmanager.Endpoint;
import dev.portmanager.InvalidRequestException;
import dev.portmanager.PortManager;
import dev.portmanager.RangeExhaustedException;
import dev.portmanager.RangeUtilization;
import dev.portmanager.config.KnownService;
import dev.portmanager.discovery.HealthProbe;

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

    public LocalApi(PortManager pm) {
        this.pm = pm;
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
        List<Allocation> listening = pm.allocations().stream()
                .filter(a -> a.state() == AllocationState.LISTENING).toList();
        List<Endpoint> endpoints = listening.stream().map(Endpoint::of).toList();
        List<HealthProbe.Result> results = checkAll(endpoints);
        List<InstanceView> dropped = new ArrayList<>();
        int up = 0;
        for (int i = 0; i < listening.size(); i++) {
            if (results.get(i).up()) {
                up++;
            } else if (pm.release(listening.get(i))) {
                dropped.add(InstanceView.of(endpoints.get(i), "DOWN"));
            }
        }
        return new RefreshResult(listening.size(), up, dropped);
    }

    @Override
    public SidecarStatus status() {
        return new SidecarStatus("UP", pm.host(), describeStore(), pm.allocations().size());
    }

    private String describeStore() {
        if (!pm.config().usesRedis()) {
            return "embedded " + pm.config().stateDir();
        }
        // Never echo credentials: keep only scheme, host, port and database.
        String s = pm.config().store();
        int at = s.lastIndexOf('@');
        int scheme = s.indexOf("://");
        return at > scheme && scheme >= 0 ? s.substring(0, scheme + 3) + s.substring(at + 1) : s;
    }

    /** Every service's instances: discovery's answer plus this host's listening allocations (even a dead owner's,
     * which then shows DOWN until it is reaped), without duplicates. */
    private Map<String, List<Endpoint>> instances() {
        Map<String, Map<String, Endpoint>> merged = new TreeMap<>();
        for (Map.Entry<String, List<Endpoint>> e : pm.services().entrySet()) {
            for (Endpoint ep : e.getValue()) {
                merged.computeIfAbsent(e.getKey(), k -> new LinkedHashMap<>()).putIfAbsent(key(ep), ep);
            }
        }
        for (Allocation a : pm.allocations()) {
            if (a.state() == AllocationState.LISTENING) {
                Endpoint ep = Endpoint.of(a);
                merged.computeIfAbsent(a.service(), k -> new LinkedHashMap<>()).putIfAbsent(key(ep), ep);
            }
        }
        Map<String, List<Endpoint>> out = new LinkedHashMap<>();
        merged.forEach((name, eps) -> out.put(name, List.copyOf(eps.values())));
        return out;
    }

    private List<Endpoint> instances(String name) {
        Map<String, Endpoint> merged = new LinkedHashMap<>();
        for (Endpoint ep : pm.lookup(name)) {
            merged.putIfAbsent(key(ep), ep);
        }
        for (Allocation a : pm.allocations()) {
            if (a.state() == AllocationState.LISTENING && a.service().equals(name)) {
                Endpoint ep = Endpoint.of(a);
                merged.putIfAbsent(key(ep), ep);
            }
        }
        return List.copyOf(merged.values());
    }

    private static String key(Endpoint e) {
        return e.host() + "|" + e.port() + "|" + e.endpoint();
    }

    private ServiceView view(String name, List<Endpoint> endpoints) {
        List<HealthProbe.Result> results = checkAll(endpoints);
        List<InstanceView> views = new ArrayList<>();
        for (int i = 0; i < endpoints.size(); i++) {
            views.add(InstanceView.of(endpoints.get(i), results.get(i).status()));
        }
        return new ServiceView(name, views);
    }

    private List<HealthProbe.Result> checkAll(List<Endpoint> endpoints) {
        if (endpoints.size() <= 1) {
            return endpoints.stream().map(this::check).toList();
        }
        ExecutorService pool = pool();
        List<CompletableFuture<HealthProbe.Result>> futures = endpoints.stream()
                .map(e -> CompletableFuture.supplyAsync(() -> check(e), pool)).toList();
        return futures.stream().map(CompletableFuture::join).toList();
    }

    private HealthProbe.Result check(Endpoint e) {
        KnownService known = pm.config().services().get(e.service());
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
        ExecutorService p = checks;
        if (p != null) {
            p.shutdownNow();
        }
        pm.close();
    }

}
