package dev.portmanager;

import dev.portmanager.config.PortManagerConfig;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

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

    /** Opens a manager on the defaults plus the config file found by {@code ConfigFile.discover()}. */
    public static PortManager open() {
        throw new UnsupportedOperationException("in progress");
    }

    /** Opens a manager on an explicit configuration. */
    public static PortManager open(PortManagerConfig config) {
        throw new UnsupportedOperationException("in progress");
    }

    public PortManagerConfig config() {
        throw new UnsupportedOperationException("in progress");
    }

    /** This host's name as recorded in allocations. */
    public String host() {
        throw new UnsupportedOperationException("in progress");
    }

    /**
     * The design's call: a port for {@code service}, owned by this JVM. {@code type} and {@code preferredPort} may
     * be null to take them from the known-services table.
     */
    public Allocation allocatePort(String service, String type, Integer preferredPort) {
        throw new UnsupportedOperationException("in progress");
    }

    /**
     * Grants a port by the allocation rules (preferred, sticky, range, dynamic pool).
     *
     * @throws InvalidRequestException  when the request is malformed (bad name, unknown type, port outside 1-65535)
     * @throws RangeExhaustedException  when neither the type's range nor the dynamic pool has a port left
     */
    public Allocation allocate(AllocationRequest request) {
        throw new UnsupportedOperationException("in progress");
    }

    /**
     * Records that the allocation's port is now bound and listening (so discovery returns it) and starts
     * publishing and renewing it in the registry. {@code advertised} may be null to derive it.
     */
    public Allocation markListening(Allocation allocation, String advertised) {
        throw new UnsupportedOperationException("in progress");
    }

    /**
     * Records a port bound outside the allocation rules (a port-0 bind, or one left alone by choice) as a
     * listening allocation of this process, so that it is discoverable like the others.
     */
    public Allocation registerListening(String service, String type, String endpoint, int port, String advertised) {
        throw new UnsupportedOperationException("in progress");
    }

    /** Gives back an allocation if its owner (or reservation) still holds it. */
    public boolean release(Allocation allocation) {
        throw new UnsupportedOperationException("in progress");
    }

    /** Releases whatever holds {@code port} on this host; empty when nothing did. */
    public Optional<Allocation> release(int port) {
        throw new UnsupportedOperationException("in progress");
    }

    /** Releases every allocation of one instance id on this host. */
    public List<Allocation> releaseInstance(String instance) {
        throw new UnsupportedOperationException("in progress");
    }

    /** Live allocations (reserved, allocated, listening): this host's, plus other hosts' from the registry. */
    public List<Allocation> allocations() {
        throw new UnsupportedOperationException("in progress");
    }

    /** Usage per range on this host. */
    public List<RangeUtilization> utilization() {
        throw new UnsupportedOperationException("in progress");
    }

    /** FOREIGN, SQUATTER, DUPLICATE, STALE and CONTENDED findings. */
    public List<Conflict> conflicts() {
        throw new UnsupportedOperationException("in progress");
    }

    /** The live, listening endpoints of a service: this host's, plus every other host's with a registry. */
    public List<Endpoint> lookup(String service) {
        throw new UnsupportedOperationException("in progress");
    }

    /** Every service with a live endpoint, by name. */
    public Map<String, List<Endpoint>> services() {
        throw new UnsupportedOperationException("in progress");
    }

    /** Waits until pending registry writes are done (or the timeout passes); true when nothing is pending. */
    public boolean flushRegistry(Duration timeout) {
        throw new UnsupportedOperationException("in progress");
    }

    /** Withdraws this process's registrations, releases its allocations and stops background work. */
    @Override
    public void close() {
        throw new UnsupportedOperationException("in progress");
    }
}
