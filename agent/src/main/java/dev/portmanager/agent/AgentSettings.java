package dev.portmanager.agent;

import dev.portmanager.AllocationRequest;
import dev.portmanager.config.Durations;
import dev.portmanager.config.EnvironmentNames;
import dev.portmanager.registry.RedisStoreUri;

import java.nio.file.Path;
import java.time.Duration;
import java.util.BitSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/**
 * The agent's settings, merged from (highest first) agent arguments {@code key=value,...}, system properties
 * {@code portmanager.<key>}, environment variables {@code PORTMANAGER_<KEY>} (camelCase becomes UPPER_SNAKE:
 * stateDir -> PORTMANAGER_STATE_DIR), then the core's config file, then the defaults. Values holding several items
 * separate them with ';' because ',' separates the agent arguments.
 *
 * <p>Parsing only: no file is read here, so this runs in premain at no noticeable cost.
 */
public final class AgentSettings {
    /** What include and exclude accept (the launcher's JvmFilter applies them; only their syntax is checked here). */
    static final String GLOBS = "globs matching main class names or jar file names, separated by ';' "
            + "(* ? [a-z] {a,b}, as in java.nio.file.FileSystem#getPathMatcher; e.g. com.acme.*;legacy-*.jar)";

    /** Every key with the forms it accepts (the text of the one-line error). */
    static final Map<String, String> KEYS = new LinkedHashMap<>();

    static {
        KEYS.put("service", "a service name: " + AllocationRequest.NAME_RULE);
        KEYS.put("type", "a service type (ml, gateway, microservice, ... or one from the config file)");
        KEYS.put("instance", "an instance id: " + AllocationRequest.NAME_RULE);
        KEYS.put("preferred", "a port 1-65535, or requested=preferred pairs separated by ';' (8080=8301;8081=8302)");
        KEYS.put("mode", "preferred or strict");
        KEYS.put("store", "embedded, or a redis://, rediss://, redis-sentinel:// or rediss-sentinel:// URI");
        KEYS.put("redisCa", "a PEM file with the CA certificate(s) of a rediss:// server");
        KEYS.put("host", "this host's name in the registry");
        KEYS.put("advertise", "the address clients should connect to");
        KEYS.put("lease", Durations.ACCEPTED + ", at least 1s");
        KEYS.put("manage", "all, or ports and ranges separated by ';' (8080;8081;9000-9100)");
        KEYS.put("ignore", "ports and ranges separated by ';' (9010;1099)");
        KEYS.put("endpoints", "requested=name pairs separated by ';' (8080=http;8081=admin)");
        KEYS.put("fail", "open or closed");
        KEYS.put("stateDir", "a directory path");
        KEYS.put("config", "a PortManager config file path");
        KEYS.put("routes", ConnectRoutes.ACCEPTED);
        KEYS.put("timeout", "how long a bind or close waits for the state directory: " + Durations.ACCEPTED);
        KEYS.put("include", GLOBS);
        KEYS.put("exclude", GLOBS);
    }

    String service;
    String type;
    String instance;
    int preferredForAll;
    final Map<Integer, Integer> preferredByPort = new HashMap<>();
    AllocationRequest.Mode mode = AllocationRequest.Mode.PREFERRED;
    String store;
    Path redisCa;
    String host;
    String advertise;
    Duration lease;
    /** Null: every port is managed. */
    BitSet managed;
    final BitSet ignored = new BitSet(65536);
    final Map<Integer, String> endpoints = new HashMap<>();
    boolean failClosed;
    Path stateDir;
    Path config;
    /**
     * Connect routes as given (items separated by ';'), null when not set here (the config file may set them).
     * Checked item by item later: a bad item is reported and ignored on its own, never turning the agent off.
     */
    String routes;
    /** The longest a bind or close waits for the core before it goes ahead as asked. */
    Duration timeout = DEFAULT_TIMEOUT;
    /** Where each set value came from, for messages. */
    final Map<String, String> sources = new HashMap<>();

    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

    private AgentSettings() {
    }

    /**
     * Resolves the settings. A problem is reported as a {@link SettingsException} whose message is the one line
     * to print; {@link #failClosedRequested} tells how to react to it even when parsing failed.
     */
    public static AgentSettings resolve(String agentArgs, Properties systemProperties, Map<String, String> env) {
        AgentSettings s = new AgentSettings();
        Map<String, String> raw = new LinkedHashMap<>();
        if (agentArgs != null && !agentArgs.isBlank()) {
            for (String part : agentArgs.split(",")) {
                if (part.isBlank()) {
                    continue;
                }
                int eq = part.indexOf('=');
                String key = (eq < 0 ? part : part.substring(0, eq)).trim();
                if (!KEYS.containsKey(key)) {
                    throw new SettingsException("unknown agent argument '" + key + "': accepted keys are "
                            + String.join(", ", KEYS.keySet()) + " (key=value, separated by ',')");
                }
                if (eq < 0) {
                    throw new SettingsException("agent argument '" + key + "' has no value: expected " + key
                            + "=<" + KEYS.get(key) + ">");
                }
                raw.put(key, part.substring(eq + 1).trim());
                s.sources.put(key, "agent argument " + key);
            }
        }
        for (String key : KEYS.keySet()) {
            if (raw.containsKey(key)) {
                continue;
            }
            String prop = systemProperties.getProperty("portmanager." + key);
            if (prop != null) {
                raw.put(key, prop.trim());
                s.sources.put(key, "-Dportmanager." + key);
                continue;
            }
            String envName = EnvironmentNames.of(key);
            String fromEnv = env.get(envName);
            if (fromEnv != null) {
                raw.put(key, fromEnv.trim());
                s.sources.put(key, "$" + envName);
            }
        }
        String fail = raw.get("fail");
        s.failClosed = "closed".equals(fail);
        for (Map.Entry<String, String> e : raw.entrySet()) {
            s.apply(e.getKey(), e.getValue());
        }
        s.excludeJmxPorts(systemProperties);
        return s;
    }

    /** True when fail=closed was asked for in any source, read leniently so it holds even when parsing failed. */
    static boolean failClosedRequested(String agentArgs, Properties systemProperties, Map<String, String> env) {
        if (agentArgs != null) {
            for (String part : agentArgs.split(",")) {
                if (part.trim().equals("fail=closed")) {
                    return true;
                }
                if (part.trim().startsWith("fail=")) {
                    return false;
                }
            }
        }
        String prop = systemProperties.getProperty("portmanager.fail");
        if (prop != null) {
            return prop.trim().equals("closed");
        }
        return "closed".equals(env.get("PORTMANAGER_FAIL"));
    }

    private void apply(String key, String value) {
        try {
            switch (key) {
                case "service": service = name(value); break;
                case "type": type = nonBlank(value); break;
                case "instance": instance = name(value); break;
                case "preferred": preferred(value); break;
                case "mode": mode = AllocationRequest.Mode.valueOf(oneOf(value, "preferred", "strict").toUpperCase(Locale.ROOT)); break;
                case "store": store = store(value); break;
                case "host": host = nonBlank(value); break;
                case "advertise": advertise = nonBlank(value); break;
                case "lease": lease = lease(value); break;
                case "manage": managed = "all".equals(value) ? null : ports(value, new BitSet(65536)); break;
                case "ignore": ports(value, ignored); break;
                case "endpoints": endpoints(value); break;
                case "fail": oneOf(value, "open", "closed"); break;
                case "stateDir": stateDir = Path.of(nonBlank(value)); break;
                case "redisCa": redisCa = Path.of(nonBlank(value)); break;
                case "config": config = Path.of(nonBlank(value)); break;
                case "routes": routes = value; break;
                case "timeout": timeout = positive(Durations.parse(value)); break;
                case "include", "exclude": globs(value); break;
                default: throw new IllegalArgumentException("unknown key");
            }
        } catch (RuntimeException e) {
            // a store URI may carry a password: it is shown without its user info, however malformed it is
            String shown = key.equals("store") ? RedisStoreUri.redact(value) : value;
            throw new SettingsException("bad value '" + shown + "' for " + sources.getOrDefault(key, key)
                    + ": expected " + KEYS.get(key));
        }
    }

    /** Compiled only to be checked: a JVM they skip never gets this far, so this is one that runs the agent. */
    private static void globs(String value) {
        for (String glob : value.split(";")) {
            if (!glob.isBlank()) {
                java.nio.file.FileSystems.getDefault().getPathMatcher("glob:" + glob.trim());
            }
        }
    }

    private static String nonBlank(String value) {
        if (value.isBlank()) {
            throw new IllegalArgumentException("blank");
        }
        return value;
    }

    private static Duration positive(Duration value) {
        if (value.isZero() || value.isNegative()) {
            throw new IllegalArgumentException("not positive");
        }
        return value;
    }

    private static String name(String value) {
        if (!AllocationRequest.isName(value)) {
            throw new IllegalArgumentException("bad name");
        }
        return value;
    }

    private static String oneOf(String value, String a, String b) {
        if (!value.equals(a) && !value.equals(b)) {
            throw new IllegalArgumentException("not one of");
        }
        return value;
    }

    /**
     * Only the scheme is checked here (premain stays cheap); the opener thread parses the whole URI, and its
     * message names the problem without the password.
     */
    private static String store(String value) {
        if (value.equals("embedded") || hasScheme(value, "redis://") || hasScheme(value, "rediss://")
                || hasScheme(value, "redis-sentinel://") || hasScheme(value, "rediss-sentinel://")) {
            return value;
        }
        throw new IllegalArgumentException("bad store");
    }

    private static boolean hasScheme(String value, String scheme) {
        return value.regionMatches(true, 0, scheme, 0, scheme.length());
    }

    private static Duration lease(String value) {
        Duration d = Durations.parse(value);
        if (d.toMillis() < 1000) {
            throw new IllegalArgumentException("lease under 1s");
        }
        return d;
    }

    private static int port(String text) {
        int p = Integer.parseInt(text.trim());
        if (p < 1 || p > 65535) {
            throw new IllegalArgumentException("port out of range");
        }
        return p;
    }

    private static BitSet ports(String value, BitSet into) {
        for (String item : value.split(";")) {
            if (item.isBlank()) {
                continue;
            }
            int dash = item.indexOf('-');
            if (dash < 0) {
                into.set(port(item));
            } else {
                int from = port(item.substring(0, dash));
                int to = port(item.substring(dash + 1));
                if (from > to) {
                    throw new IllegalArgumentException("empty range");
                }
                into.set(from, to + 1);
            }
        }
        return into;
    }

    private void preferred(String value) {
        if (value.indexOf('=') < 0) {
            preferredForAll = port(value);
            return;
        }
        for (String pair : value.split(";")) {
            if (pair.isBlank()) {
                continue;
            }
            int eq = pair.indexOf('=');
            preferredByPort.put(port(pair.substring(0, eq)), port(pair.substring(eq + 1)));
        }
    }

    private void endpoints(String value) {
        for (String pair : value.split(";")) {
            if (pair.isBlank()) {
                continue;
            }
            int eq = pair.indexOf('=');
            endpoints.put(port(pair.substring(0, eq)), name(pair.substring(eq + 1).trim()));
        }
    }

    /** The JMX agent's ports never move: remote tools are configured with them. */
    private void excludeJmxPorts(Properties systemProperties) {
        for (String key : new String[] {"com.sun.management.jmxremote.port", "com.sun.management.jmxremote.rmi.port"}) {
            String value = systemProperties.getProperty(key);
            if (value != null) {
                try {
                    int p = Integer.parseInt(value.trim());
                    if (p > 0 && p <= 65535) {
                        ignored.set(p);
                    }
                } catch (NumberFormatException ignoredValue) {
                    // the JVM itself reports a bad JMX port
                }
            }
        }
    }

    // ---- questions the bind path asks ------------------------------------------------------------------------

    /** Whether a bind asking for {@code requestedPort} is ours to handle (port 0 is, unless manage lists ports). */
    boolean manages(int requestedPort) {
        if (requestedPort != 0 && ignored.get(requestedPort)) {
            return false;
        }
        return managed == null || requestedPort == 0 || managed.get(requestedPort);
    }

    /** The port to ask the core for: a configured preference, else the hardcoded port itself. */
    int preferredFor(int requestedPort) {
        Integer mapped = preferredByPort.get(requestedPort);
        if (mapped != null) {
            return mapped;
        }
        return preferredForAll != 0 ? preferredForAll : requestedPort;
    }

    /** Where the routes setting came from, for its messages. */
    String routesSource() {
        return sources.getOrDefault("routes", "routes");
    }

    /** The endpoint name: configured, else the requested port number ("8088"), or {@code ephemeral} for port 0. */
    String endpointFor(int requestedPort) {
        String configured = endpoints.get(requestedPort);
        if (configured != null) {
            return configured;
        }
        return requestedPort == 0 ? "ephemeral" : Integer.toString(requestedPort);
    }
}
