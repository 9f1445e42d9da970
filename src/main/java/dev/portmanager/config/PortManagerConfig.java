package dev.portmanager.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything the core needs to allocate: ranges, known services, where host-local state lives, the registry
 * and the timing of leases. Immutable; build one with {@link #defaults()} and the {@code with...} methods, or
 * load a file with {@link ConfigFile}.
 */
public final class PortManagerConfig {
    /** The type whose range catches every request that its own range cannot satisfy. */
    public static final String DYNAMIC_TYPE = "dynamic";
    /** The store value meaning "host-local state directory only, no registry server". */
    public static final String EMBEDDED_STORE = "embedded";

    private final Map<String, PortRange> ranges;
    private final Map<String, String> aliases;
    private final Map<String, KnownService> services;
    private final Path stateDir;
    private final String store;
    private final String redisPrefix;
    private final String host;
    private final String advertise;
    private final Duration lease;
    private final Duration cooldown;
    private final Duration reservationTtl;

    private PortManagerConfig(Map<String, PortRange> ranges, Map<String, String> aliases,
                              Map<String, KnownService> services, Path stateDir, String store, String redisPrefix,
                              String host, String advertise, Duration lease, Duration cooldown,
                              Duration reservationTtl) {
        this.ranges = Collections.unmodifiableMap(new LinkedHashMap<>(ranges));
        this.aliases = Collections.unmodifiableMap(new LinkedHashMap<>(aliases));
        this.services = Collections.unmodifiableMap(new LinkedHashMap<>(services));
        this.stateDir = stateDir;
        this.store = store;
        this.redisPrefix = redisPrefix;
        this.host = host;
        this.advertise = advertise;
        this.lease = lease;
        this.cooldown = cooldown;
        this.reservationTtl = reservationTtl;
    }

    /** The documented defaults: the design's ten ranges and six known services (see README). */
    public static PortManagerConfig defaults() {
        Map<String, PortRange> ranges = new LinkedHashMap<>();
        put(ranges, new PortRange("database", "system-db", 5000, 5999, 1));
        put(ranges, new PortRange("cache", "system-cache", 6000, 6999, 1));
        put(ranges, new PortRange("monitoring", "system-monitoring", 7000, 7999, 1));
        put(ranges, new PortRange("gateway", "api-gateway", 8000, 8099, 2));
        put(ranges, new PortRange("microservice", "microservices", 8100, 8299, 2));
        put(ranges, new PortRange("ml", "ml-services", 8300, 8499, 2));
        put(ranges, new PortRange("bridge", "bridge-services", 8500, 8699, 2));
        put(ranges, new PortRange("development", "development", 9000, 9499, 3));
        put(ranges, new PortRange("testing", "testing", 9500, 9999, 3));
        put(ranges, new PortRange(DYNAMIC_TYPE, "dynamic-pool", 10000, 11999, 4));
        // "legacy" has no block of its own in the design: legacy services keep their historical port when it is
        // free and otherwise move into the dynamic pool. An alias makes that explicit instead of a silent default.
        Map<String, String> aliases = new LinkedHashMap<>();
        aliases.put("legacy", DYNAMIC_TYPE);
        Map<String, KnownService> services = new LinkedHashMap<>();
        for (KnownService s : List.of(
                new KnownService("legacy-typescript", "legacy", 9999, null),
                new KnownService("go-api-gateway", "gateway", 8081, null),
                new KnownService("python-vision", "ml", 8000, null),
                new KnownService("rust-vision-bridge", "bridge", 8084, null),
                new KnownService("rust-llm-router", "microservice", 8082, null),
                new KnownService("hrm-mlx-service", "ml", 8085, null))) {
            services.put(s.name(), s);
        }
        return new PortManagerConfig(ranges, aliases, services, defaultStateDir(), EMBEDDED_STORE, "portmanager",
                null, null, Duration.ofSeconds(30), Duration.ofSeconds(10), Duration.ofHours(1));
    }

    private static void put(Map<String, PortRange> ranges, PortRange r) {
        ranges.put(r.type(), r);
    }

    /**
     * The default state directory: $PORTMANAGER_STATE_DIR, else $XDG_STATE_HOME/portmanager, else
     * ~/.local/state/portmanager. Every process of one user on the host shares it; point several users at one
     * group-writable directory to share it between them.
     */
    public static Path defaultStateDir() {
        String explicit = System.getenv("PORTMANAGER_STATE_DIR");
        if (explicit != null && !explicit.isBlank()) {
            return Path.of(explicit);
        }
        String xdg = System.getenv("XDG_STATE_HOME");
        if (xdg != null && !xdg.isBlank()) {
            return Path.of(xdg, "portmanager");
        }
        return UserHome.get().resolve(".local").resolve("state").resolve("portmanager");
    }

    // ---- accessors -------------------------------------------------------------------------------------------

    /** Ranges by type, in declaration order. */
    public Map<String, PortRange> ranges() {
        return ranges;
    }

    /** Types without a range of their own, mapped to the type whose range they use. */
    public Map<String, String> aliases() {
        return aliases;
    }

    public Map<String, KnownService> services() {
        return services;
    }

    public Path stateDir() {
        return stateDir;
    }

    /** {@code embedded}, or a {@code redis://} / {@code rediss://} URI. */
    public String store() {
        return store;
    }

    public boolean usesRedis() {
        return !EMBEDDED_STORE.equals(store);
    }

    /** Prefix of every Redis key; keys are hash-tagged on it so that one Redis Cluster slot holds them all. */
    public String redisPrefix() {
        return redisPrefix;
    }

    /** This host's name in the registry, or null to detect it. */
    public String host() {
        return host;
    }

    /** The address to advertise for wildcard binds, or null to derive it. */
    public String advertise() {
        return advertise;
    }

    /** How long a registration lives without renewal; owners renew every third of it. */
    public Duration lease() {
        return lease;
    }

    /** How long a freed port rests before another service may take it. */
    public Duration cooldown() {
        return cooldown;
    }

    /** How long an ahead-of-time reservation (no owner process) lives by default. */
    public Duration reservationTtl() {
        return reservationTtl;
    }

    /**
     * The range that serves a type, following aliases; null for an unknown type.
     */
    public PortRange rangeFor(String type) {
        PortRange own = ranges.get(type);
        if (own != null) {
            return own;
        }
        String target = aliases.get(type);
        return target == null ? null : ranges.get(target);
    }

    /** Every type a request may name: the ranges' types and the aliases. */
    public List<String> knownTypes() {
        List<String> types = new ArrayList<>(ranges.keySet());
        types.addAll(aliases.keySet());
        return types;
    }

    /** The range containing a port, or null when the port is unmanaged. */
    public PortRange rangeContaining(int port) {
        for (PortRange r : ranges.values()) {
            if (r.contains(port)) {
                return r;
            }
        }
        return null;
    }

    // ---- copies with one thing changed ------------------------------------------------------------------------
    // Each copies every field through one mutable Copy (plain setters, no lambdas: this runs on an agent's first
    // bind, where a lambda's first use costs milliseconds).

    public PortManagerConfig withRanges(Map<String, PortRange> newRanges) {
        Copy c = new Copy(this);
        c.ranges = newRanges;
        return c.build();
    }

    public PortManagerConfig withAliases(Map<String, String> newAliases) {
        Copy c = new Copy(this);
        c.aliases = newAliases;
        return c.build();
    }

    public PortManagerConfig withServices(Map<String, KnownService> newServices) {
        Copy c = new Copy(this);
        c.services = newServices;
        return c.build();
    }

    public PortManagerConfig withStateDir(Path dir) {
        Copy c = new Copy(this);
        c.stateDir = dir;
        return c.build();
    }

    public PortManagerConfig withStore(String newStore) {
        Copy c = new Copy(this);
        c.store = newStore;
        return c.build();
    }

    public PortManagerConfig withRedisPrefix(String prefix) {
        Copy c = new Copy(this);
        c.redisPrefix = prefix;
        return c.build();
    }

    public PortManagerConfig withHost(String newHost) {
        Copy c = new Copy(this);
        c.host = newHost;
        return c.build();
    }

    public PortManagerConfig withAdvertise(String address) {
        Copy c = new Copy(this);
        c.advertise = address;
        return c.build();
    }

    public PortManagerConfig withLease(Duration d) {
        Copy c = new Copy(this);
        c.lease = d;
        return c.build();
    }

    public PortManagerConfig withCooldown(Duration d) {
        Copy c = new Copy(this);
        c.cooldown = d;
        return c.build();
    }

    public PortManagerConfig withReservationTtl(Duration d) {
        Copy c = new Copy(this);
        c.reservationTtl = d;
        return c.build();
    }

    /** Every field of a config, changeable before {@link #build()}. */
    private static final class Copy {
        Map<String, PortRange> ranges;
        Map<String, String> aliases;
        Map<String, KnownService> services;
        Path stateDir;
        String store;
        String redisPrefix;
        String host;
        String advertise;
        Duration lease;
        Duration cooldown;
        Duration reservationTtl;

        Copy(PortManagerConfig from) {
            ranges = from.ranges;
            aliases = from.aliases;
            services = from.services;
            stateDir = from.stateDir;
            store = from.store;
            redisPrefix = from.redisPrefix;
            host = from.host;
            advertise = from.advertise;
            lease = from.lease;
            cooldown = from.cooldown;
            reservationTtl = from.reservationTtl;
        }

        PortManagerConfig build() {
            return new PortManagerConfig(ranges, aliases, services, stateDir, store, redisPrefix, host, advertise,
                    lease, cooldown, reservationTtl);
        }
    }
}
