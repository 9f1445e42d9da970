package dev.portmanager;

import java.time.Duration;
import java.util.Set;

/**
 * What a caller asks for. Only the service name is required: a known service supplies its type and preferred
 * port. Build with {@link #forService(String)}.
 *
 * @param service       service name: letters, digits, '.', '_' and '-', 1-100 characters
 * @param type          service type, or null to take the known service's type (else {@code dynamic})
 * @param preferredPort the port to try first (a hardcoded port), or 0 to take the known service's one
 * @param mode          PREFERRED grants the preferred port wherever it lies; STRICT only inside the type's range
 * @param instance      instance id for sticky re-allocation; null means the service name
 * @param endpoint      endpoint name within the service; null means {@code main}
 * @param owner         the owning process; null makes a reservation that lives until released or its ttl ends
 * @param ttl           reservation lifetime (ignored when there is an owner); null means the configured default
 * @param excluded      ports that must not be granted (e.g. one whose bind just failed)
 */
public record AllocationRequest(String service, String type, int preferredPort, Mode mode, String instance,
                                String endpoint, Owner owner, Duration ttl, Set<Integer> excluded) {

    /** How the preferred port is judged. */
    public enum Mode { PREFERRED, STRICT }

    /** What {@link #isName} accepts, for messages. */
    public static final String NAME_RULE = "1-100 characters: letters, digits, '.', '_' or '-', starting with a letter or digit";

    /**
     * True for an accepted service, instance or endpoint name ({@link #NAME_RULE}). A loop, not a regular
     * expression: the agent checks names while the app starts, where compiling a pattern costs over a millisecond.
     */
    public static boolean isName(String value) {
        if (value == null || value.isEmpty() || value.length() > 100) {
            return false;
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            boolean letterOrDigit = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9';
            if (!letterOrDigit && (i == 0 || c != '.' && c != '_' && c != '-')) {
                return false;
            }
        }
        return true;
    }

    public AllocationRequest {
        excluded = excluded == null ? Set.of() : Set.copyOf(excluded);
        mode = mode == null ? Mode.PREFERRED : mode;
    }

    /** A request for a service, owned by this JVM (the library case: {@code allocatePort("svc", "ml", 8088)}). */
    public static AllocationRequest forService(String service) {
        return new AllocationRequest(service, null, 0, Mode.PREFERRED, null, null, Owner.current(), null, Set.of());
    }

    public AllocationRequest type(String newType) {
        return new AllocationRequest(service, newType, preferredPort, mode, instance, endpoint, owner, ttl, excluded);
    }

    public AllocationRequest preferredPort(int port) {
        return new AllocationRequest(service, type, port, mode, instance, endpoint, owner, ttl, excluded);
    }

    public AllocationRequest mode(Mode newMode) {
        return new AllocationRequest(service, type, preferredPort, newMode, instance, endpoint, owner, ttl, excluded);
    }

    public AllocationRequest instance(String id) {
        return new AllocationRequest(service, type, preferredPort, mode, id, endpoint, owner, ttl, excluded);
    }

    public AllocationRequest endpoint(String name) {
        return new AllocationRequest(service, type, preferredPort, mode, instance, name, owner, ttl, excluded);
    }

    public AllocationRequest owner(Owner newOwner) {
        return new AllocationRequest(service, type, preferredPort, mode, instance, endpoint, newOwner, ttl, excluded);
    }

    /** A reservation: no owner process, lives for {@code lifetime} unless released (null: the default ttl). */
    public AllocationRequest reservation(Duration lifetime) {
        return new AllocationRequest(service, type, preferredPort, mode, instance, endpoint, null, lifetime, excluded);
    }

    public AllocationRequest excluding(Set<Integer> ports) {
        return new AllocationRequest(service, type, preferredPort, mode, instance, endpoint, owner, ttl, ports);
    }

    public String instanceOrDefault() {
        return instance == null ? service : instance;
    }

    public String endpointOrDefault() {
        return endpoint == null ? "main" : endpoint;
    }
}
