package dev.portmanager.config;

import dev.portmanager.AllocationRequest;
import dev.portmanager.registry.RedisStoreUri;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Reads one YAML config file over a base configuration (see {@link ConfigFile} for the format). */
final class ConfigYaml {
    private static final List<String> TOP_KEYS = List.of("stateDir", "store", "redisPrefix", "redisCa", "host",
            "advertise", "lease", "cooldown", "reservationTtl", "ranges", "aliases", "services", "routes");
    private static final List<String> RANGE_KEYS = List.of("start", "end", "priority", "name");
    private static final List<String> SERVICE_KEYS = List.of("type", "preferred", "healthPath");

    private final Path file;
    private PortManagerConfig config;
    /** Line (1-based) where each range was declared in the file, to name both sides of an overlap. */
    private final Map<String, Integer> rangeLines = new LinkedHashMap<>();

    private ConfigYaml(Path file, PortManagerConfig base) {
        this.file = file;
        this.config = base;
    }

    /** {@code base} overridden by one file. */
    static PortManagerConfig read(Path file, PortManagerConfig base) {
        if (!Files.isRegularFile(file)) {
            throw new ConfigException(file + ": config file not found (expected a readable YAML file)");
        }
        ConfigYaml reader = new ConfigYaml(file, base);
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            LoaderOptions options = new LoaderOptions();
            options.setAllowDuplicateKeys(false);
            options.setMaxAliasesForCollections(10);
            Node root = new Yaml(options).compose(in);
            if (root != null) {
                reader.apply(root);
            }
        } catch (MarkedYAMLException e) {
            Mark mark = e.getProblemMark();
            int line = mark == null ? 0 : mark.getLine() + 1;
            throw new ConfigException(file + ":" + line + ": not valid YAML (" + e.getProblem()
                    + "); expected a mapping of keys " + TOP_KEYS);
        } catch (YAMLException e) {
            throw new ConfigException(file + ": not valid YAML (" + e.getMessage() + ")");
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot read (" + e.getMessage() + ")", e);
        }
        reader.validateWhole();
        return reader.config;
    }

    // ---- the tree walk ---------------------------------------------------------------------------------------

    private void apply(Node root) {
        MappingNode top = mapping(root, "the top level", TOP_KEYS);
        for (NodeTuple t : top.getValue()) {
            String key = keyOf(t, TOP_KEYS);
            Node v = t.getValueNode();
            switch (key) {
                case "stateDir" -> config = config.withStateDir(UserHome.expand(text(v, key, "a directory path")));
                case "store" -> config = config.withStore(store(v));
                case "redisPrefix" -> config = config.withRedisPrefix(name(v, key));
                case "redisCa" -> config = config.withRedisCa(Path.of(text(v, key, "a PEM file path")));
                case "host" -> config = config.withHost(text(v, key, "a host name"));
                case "advertise" -> config = config.withAdvertise(text(v, key, "a host name or IP address"));
                case "lease" -> config = config.withLease(lease(v));
                case "cooldown" -> config = config.withCooldown(duration(v, key));
                case "reservationTtl" -> config = config.withReservationTtl(duration(v, key));
                case "ranges" -> applyRanges(v);
                case "aliases" -> applyAliases(v);
                case "services" -> applyServices(v);
                case "routes" -> config = config.withRoutes(routes(v));
                default -> throw new IllegalStateException(key);
            }
        }
    }

    /**
     * One string of items separated by ';', or a list of items. Each item is checked by the agent, which ignores
     * only a bad one; here only the form of the value is checked.
     */
    private String routes(Node node) {
        String accepted = "a string of PORT=SERVICE or PORT@PREFIX=SERVICE items separated by ';', or a list of them";
        if (node instanceof SequenceNode list) {
            StringBuilder joined = new StringBuilder();
            for (Node item : list.getValue()) {
                String one = text(item, "routes", accepted);
                joined.append(joined.length() == 0 ? "" : ";").append(one);
            }
            return joined.toString();
        }
        return text(node, "routes", accepted);
    }

    private void applyRanges(Node node) {
        Map<String, PortRange> ranges = new LinkedHashMap<>(config.ranges());
        for (NodeTuple t : mapping(node, "ranges", List.of("<type>")).getValue()) {
            String type = name(t.getKeyNode(), "a range type");
            MappingNode body = mapping(t.getValueNode(), "range " + type, RANGE_KEYS);
            PortRange old = ranges.get(type);
            Integer start = old == null ? null : old.start();
            Integer end = old == null ? null : old.end();
            int priority = old == null ? 2 : old.priority();
            String rangeName = old == null ? type : old.name();
            for (NodeTuple f : body.getValue()) {
                String key = keyOf(f, RANGE_KEYS);
                Node v = f.getValueNode();
                switch (key) {
                    case "start" -> start = port(v, "start");
                    case "end" -> end = port(v, "end");
                    case "priority" -> priority = integer(v, "priority", 1, 10);
                    case "name" -> rangeName = name(v, "name");
                    default -> throw new IllegalStateException(key);
                }
            }
            if (start == null || end == null) {
                throw error(t.getValueNode(), "range " + type + " needs both start and end (ports 1-65535)");
            }
            if (start > end) {
                throw error(t.getValueNode(), "range " + type + " has start " + start + " > end " + end
                        + "; expected start <= end");
            }
            ranges.put(type, new PortRange(type, rangeName, start, end, priority));
            rangeLines.put(type, line(t.getKeyNode()));
        }
        config = config.withRanges(ranges);
    }

    private void applyAliases(Node node) {
        Map<String, String> aliases = new LinkedHashMap<>(config.aliases());
        for (NodeTuple t : mapping(node, "aliases", List.of("<type>")).getValue()) {
            String alias = name(t.getKeyNode(), "an alias type");
            String target = name(t.getValueNode(), "the type whose range " + alias + " uses");
            if (!config.ranges().containsKey(target)) {
                throw error(t.getValueNode(), "alias " + alias + " points to '" + target
                        + "', which has no range; accepted: " + config.ranges().keySet());
            }
            aliases.put(alias, target);
        }
        config = config.withAliases(aliases);
    }

    private void applyServices(Node node) {
        Map<String, KnownService> services = new LinkedHashMap<>(config.services());
        for (NodeTuple t : mapping(node, "services", List.of("<service name>")).getValue()) {
            String serviceName = name(t.getKeyNode(), "a service name");
            MappingNode body = mapping(t.getValueNode(), "service " + serviceName, SERVICE_KEYS);
            String type = null;
            int preferred = 0;
            String health = null;
            for (NodeTuple f : body.getValue()) {
                String key = keyOf(f, SERVICE_KEYS);
                Node v = f.getValueNode();
                switch (key) {
                    case "type" -> type = name(v, "type");
                    case "preferred" -> preferred = port(v, "preferred");
                    case "healthPath" -> {
                        health = text(v, "healthPath", "an HTTP path starting with /");
                        if (!health.startsWith("/")) {
                            throw error(v, "healthPath '" + health + "' must start with /");
                        }
                    }
                    default -> throw new IllegalStateException(key);
                }
            }
            if (type == null) {
                throw error(t.getValueNode(), "service " + serviceName + " needs a type; accepted: "
                        + config.knownTypes());
            }
            services.put(serviceName, new KnownService(serviceName, type, preferred, health));
            rangeLines.putIfAbsent("service:" + serviceName, line(t.getKeyNode()));
        }
        config = config.withServices(services);
    }

    /** Checks that need the whole file: overlaps between ranges, and services whose type has no range. */
    private void validateWhole() {
        List<PortRange> all = List.copyOf(config.ranges().values());
        for (int i = 0; i < all.size(); i++) {
            for (int j = i + 1; j < all.size(); j++) {
                PortRange a = all.get(i);
                PortRange b = all.get(j);
                if (a.overlaps(b)) {
                    Integer line = rangeLines.getOrDefault(b.type(), rangeLines.get(a.type()));
                    throw new ConfigException(file + ":" + (line == null ? 0 : line) + ": range " + b.type() + " "
                            + b.start() + "-" + b.end() + " overlaps range " + a.type() + " " + a.start() + "-"
                            + a.end() + "; ranges must not share ports");
                }
            }
        }
        for (KnownService s : config.services().values()) {
            if (config.rangeFor(s.type()) == null) {
                Integer line = rangeLines.get("service:" + s.name());
                throw new ConfigException(file + ":" + (line == null ? 0 : line) + ": service " + s.name()
                        + " has type '" + s.type() + "', which has no range; accepted types: " + config.knownTypes()
                        + " (or add a range or an alias for it)");
            }
        }
    }

    // ---- typed readers, each failing with file:line and what is accepted ------------------------------------

    private MappingNode mapping(Node node, String what, List<String> accepted) {
        if (node instanceof MappingNode m) {
            // SnakeYAML's composer keeps duplicate keys; a second "lease:" silently winning would hide a mistake.
            java.util.Set<String> seen = new java.util.HashSet<>();
            for (NodeTuple t : m.getValue()) {
                if (t.getKeyNode() instanceof ScalarNode k && !seen.add(k.getValue())) {
                    throw error(k, "duplicate key '" + k.getValue() + "' in " + what + "; each key may appear once");
                }
            }
            return m;
        }
        throw error(node, what + " must be a mapping of " + accepted);
    }

    private String keyOf(NodeTuple t, List<String> accepted) {
        Node k = t.getKeyNode();
        String key = k instanceof ScalarNode s ? s.getValue() : null;
        if (key == null || !accepted.contains(key)) {
            throw error(k, "unknown key '" + (key == null ? "?" : key) + "'; accepted: " + accepted);
        }
        return key;
    }

    private String text(Node node, String key, String accepted) {
        if (node instanceof ScalarNode s && !s.getValue().isBlank()) {
            return s.getValue().trim();
        }
        throw error(node, key + " must be " + accepted);
    }

    private String name(Node node, String key) {
        String value = text(node, key, "a name of letters, digits, '.', '_' or '-'");
        if (!AllocationRequest.isName(value)) {
            throw error(node, key + " '" + value + "' is not a valid name; accepted: letters, digits, '.', '_' or '-'");
        }
        return value;
    }

    private int integer(Node node, String key, int min, int max) {
        String value = text(node, key, "a whole number from " + min + " to " + max);
        try {
            int n = Integer.parseInt(value);
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw error(node, key + " '" + value + "' is out of range; accepted: a whole number from " + min + " to " + max);
    }

    private int port(Node node, String key) {
        return integer(node, key, 1, 65535);
    }

    private Duration duration(Node node, String key) {
        String value = text(node, key, Durations.ACCEPTED);
        try {
            Duration d = Durations.parse(value);
            if (d.isZero() || d.isNegative()) {
                throw error(node, key + " must be longer than zero; accepted: " + Durations.ACCEPTED);
            }
            return d;
        } catch (IllegalArgumentException e) {
            throw error(node, key + ": " + e.getMessage());
        }
    }

    /** A lease is at least a second: owners renew every third of it, and Redis must not be asked faster. */
    private Duration lease(Node node) {
        Duration d = duration(node, "lease");
        if (d.compareTo(Duration.ofSeconds(1)) < 0) {
            throw error(node, "lease " + Durations.format(d) + " is too short; accepted: at least 1s");
        }
        return d;
    }

    private String store(Node node) {
        String value = text(node, "store",
                "embedded or a redis://, rediss://, redis-sentinel:// or rediss-sentinel:// URI");
        try {
            return RedisStoreUri.checkStore(value);
        } catch (ConfigException e) {
            throw error(node, e.getMessage()); // the message quotes the URI without its credentials
        }
    }

    private ConfigException error(Node node, String message) {
        return new ConfigException(file + ":" + line(node) + ": " + message);
    }

    private static int line(Node node) {
        return node == null || node.getStartMark() == null ? 0 : node.getStartMark().getLine() + 1;
    }
}
