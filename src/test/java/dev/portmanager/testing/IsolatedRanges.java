package dev.portmanager.testing;

import dev.portmanager.config.PortManagerConfig;
import dev.portmanager.config.PortRange;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Every default type's range (same types, names and priorities, in the same order) moved into ports of this JVM's
 * own block ({@link PortBlock}), {@value #EACH} ports each. A test whose children allocate and then bind (a python
 * server behind {@code portmanager run}, a sidecar) uses these instead of the defaults, which every build on the
 * host shares: two builds with separate state directories would both be granted 8300 and race to bind it.
 */
public final class IsolatedRanges {
    static final int EACH = 20;

    private final Map<String, PortRange> ranges;

    private IsolatedRanges(Map<String, PortRange> ranges) {
        this.ranges = ranges;
    }

    /** A fresh part of this JVM's block on which nothing listens now. */
    public static IsolatedRanges take() {
        Map<String, PortRange> defaults = PortManagerConfig.defaults().ranges();
        int port = PortBlock.take(EACH * defaults.size());
        Map<String, PortRange> moved = new LinkedHashMap<>();
        for (PortRange d : defaults.values()) {
            moved.put(d.type(), new PortRange(d.type(), d.name(), port, port + EACH - 1, d.priority()));
            port += EACH;
        }
        return new IsolatedRanges(moved);
    }

    public PortRange of(String type) {
        PortRange r = ranges.get(type);
        if (r == null) {
            throw new IllegalArgumentException("no range for type " + type + "; types: " + ranges.keySet());
        }
        return r;
    }

    public boolean contains(String type, int port) {
        PortRange r = of(type);
        return port >= r.start() && port <= r.end();
    }

    /** {@code "START-END"}, as the CLI's tables print a range. */
    public String span(String type) {
        PortRange r = of(type);
        return r.start() + "-" + r.end();
    }

    /** The default configuration with these ranges in place of the default ones. */
    public PortManagerConfig config() {
        return PortManagerConfig.defaults().withRanges(ranges);
    }

    /** The config file's {@code ranges:} section, to start a test's own config file with. */
    public String yaml() {
        StringBuilder yaml = new StringBuilder("ranges:\n");
        ranges.values().forEach(r -> yaml.append("  ").append(r.type()).append(": { start: ").append(r.start())
                .append(", end: ").append(r.end()).append(" }\n"));
        return yaml.toString();
    }
}
