package dev.portmanager.http;

import dev.portmanager.Allocation;
import dev.portmanager.Conflict;
import dev.portmanager.Endpoint;
import dev.portmanager.RangeUtilization;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The operations of the sidecar's HTTP API. {@link LocalApi} runs them against a {@code PortManager} (the store
 * directly); {@link RemoteApi} sends them to a running sidecar. The HTTP server and the CLI both go through this
 * interface, so {@code portmanager allocations} means the same with and without {@code --url}.
 *
 * <p>Failures are {@link ApiException}s carrying the HTTP status they map to.
 */
public interface PortManagerApi extends AutoCloseable {

    /** A reservation made ahead of time: no owner process, lives until released or its ttl ends. */
    Allocation allocate(AllocateBody body);

    /** Releases whatever holds {@code port}; 404 when nothing does. */
    Allocation release(int port);

    List<Allocation> allocations();

    List<RangeUtilization> utilization();

    List<Conflict> conflicts();

    /** Every service with its live instances, each checked now. */
    List<ServiceView> services();

    /** One service; empty when it is unknown (no live instance and not configured). */
    Optional<ServiceView> service(String name);

    /** The live endpoints of a service, unchecked (discovery's fast path). */
    List<Endpoint> lookup(String name);

    /** Checks every instance of a service on its real port; empty when the service is unknown. */
    Optional<HealthReport> health(String name);

    /** Re-checks every instance and withdraws those that do not answer. */
    RefreshResult refresh();

    SidecarStatus status();

    /**
     * The change index now ({@code X-PortManager-Index}): it rises whenever an allocation or instance appears,
     * goes or changes. Opaque: compare for equality only.
     */
    long index();

    /** Blocks until the index differs from {@code known} or {@code wait} has passed; returns the index then. */
    long awaitChange(long known, Duration wait);

    @Override
    void close();
}
