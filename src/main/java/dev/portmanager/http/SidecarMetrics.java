package dev.portmanager.http;

import dev.portmanager.Allocation;
import dev.portmanager.AllocationState;
import dev.portmanager.Conflict;
import dev.portmanager.ConflictKind;
import dev.portmanager.RangeUtilization;
import dev.portmanager.registry.SyncStats;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /metrics}: Prometheus text produced by the Prometheus Java client. The port map (allocations by
 * range and state, moved ones, conflicts by kind) is read from the store at scrape time, so it covers every
 * process on the host (every host, with Redis); the counters and the lookup histogram are this sidecar's own,
 * as are the registry sync figures (the sync of the allocations made through this sidecar).
 */
final class SidecarMetrics {
    private final PortManagerApi api;
    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();
    private final Counter allocationsMade;
    private final Counter allocationFailures;
    private final Histogram lookupSeconds;
    private final MovesSeen moves;

    SidecarMetrics(PortManagerApi api, boolean usesRegistry) {
        this.api = api;
        allocationsMade = Counter.builder().name("portmanager_api_allocations_total")
                .help("Allocations made through this sidecar's API, by range").labelNames("range")
                .register(registry);
        allocationFailures = Counter.builder().name("portmanager_api_allocation_failures_total")
                .help("Allocation requests through this API that were refused, by reason (HTTP error)")
                .labelNames("reason").register(registry);
        moves = new MovesSeen(Counter.builder().name("portmanager_moves_total")
                .help("Moves seen by this sidecar, by range: allocations granted another port than the one asked "
                        + "for, each grant counted once (through this API or by any process the store shows)")
                .labelNames("range").register(registry),
                api.utilization().stream().map(RangeUtilization::type).toList());
        lookupSeconds = Histogram.builder().name("portmanager_lookup_duration_seconds")
                .help("Time to answer a discovery request (service list, one service, its health)")
                .classicUpperBounds(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5)
                .register(registry);
        GaugeWithCallback.builder().name("portmanager_allocations")
                .help("Live allocations in the store, by range and state").labelNames("range", "state")
                .callback(cb -> byRangeAndState().forEach((range, states) -> states.forEach(
                        (state, n) -> cb.call(n, range, state.name()))))
                .register(registry);
        GaugeWithCallback.builder().name("portmanager_moved_allocations")
                .help("Live allocations on another port than the one asked for (moves), by range")
                .labelNames("range")
                .callback(cb -> moved().forEach((range, n) -> cb.call(n, range)))
                .register(registry);
        GaugeWithCallback.builder().name("portmanager_conflicts")
                .help("Port conflicts on this host now, by kind").labelNames("kind")
                .callback(cb -> conflictsByKind().forEach((kind, n) -> cb.call(n, kind.name().toLowerCase())))
                .register(registry);
        if (usesRegistry) {
            GaugeWithCallback.builder().name("portmanager_registry_sync_lag_seconds")
                    .help("Seconds since this sidecar's registry sync last reached Redis (absent before the first)")
                    .callback(cb -> {
                        long last = SyncStats.lastSuccessMillis();
                        if (last > 0) {
                            cb.call(Math.max(0, System.currentTimeMillis() - last) / 1000.0);
                        }
                    }).register(registry);
            CounterWithCallback.builder().name("portmanager_registry_sync_failures_total")
                    .help("Registry sync passes that could not reach Redis")
                    .callback(cb -> cb.call(SyncStats.failures())).register(registry);
            CounterWithCallback.builder().name("portmanager_lease_renewal_errors_total")
                    .help("Lease renewals left undone because the registry could not be reached")
                    .callback(cb -> cb.call(SyncStats.renewalErrors())).register(registry);
        }
    }

    void allocated(Allocation a) {
        allocationsMade.labelValues(String.valueOf(a.type())).inc();
        moves.saw(a);
    }

    /** Every live allocation after a change of the watch index: moves made by any process are counted. */
    void changed(List<Allocation> live) {
        moves.sawAll(live);
    }

    void allocationRefused(String error) {
        allocationFailures.labelValues(error).inc();
    }

    void lookupTook(long nanos) {
        lookupSeconds.observe(nanos / 1e9);
    }

    String contentType() {
        return writer.getContentType();
    }

    byte[] scrape() throws IOException {
        moves.sawAll(api.allocations()); // before the counter is collected, so a scrape shows what it saw
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        writer.write(out, registry.scrape());
        return out.toByteArray();
    }

    /** Every configured range with every state (zeros included, so series do not vanish), plus any other. */
    private Map<String, Map<AllocationState, Integer>> byRangeAndState() {
        Map<String, Map<AllocationState, Integer>> out = new HashMap<>();
        for (RangeUtilization r : api.utilization()) {
            Map<AllocationState, Integer> states = new EnumMap<>(AllocationState.class);
            for (AllocationState s : AllocationState.values()) {
                states.put(s, 0);
            }
            out.put(r.type(), states);
        }
        for (Allocation a : api.allocations()) {
            out.computeIfAbsent(String.valueOf(a.type()), k -> new EnumMap<>(AllocationState.class))
                    .merge(a.state(), 1, Integer::sum);
        }
        return out;
    }

    private Map<String, Integer> moved() {
        Map<String, Integer> out = new HashMap<>();
        for (RangeUtilization r : api.utilization()) {
            out.put(r.type(), 0);
        }
        for (Allocation a : api.allocations()) {
            if (a.moved()) {
                out.merge(String.valueOf(a.type()), 1, Integer::sum);
            }
        }
        return out;
    }

    private Map<ConflictKind, Integer> conflictsByKind() {
        Map<ConflictKind, Integer> out = new EnumMap<>(ConflictKind.class);
        for (ConflictKind k : ConflictKind.values()) {
            out.put(k, 0);
        }
        List<Conflict> all = api.conflicts();
        for (Conflict c : all) {
            out.merge(c.kind(), 1, Integer::sum);
        }
        return out;
    }
}
