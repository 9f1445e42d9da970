package dev.portmanager.config;

import java.util.Map;
import java.util.Properties;

/**
 * The settings that may come from outside the config file, and their one order of precedence, shared by the
 * library, the CLI and the agent: explicit arguments (CLI options, agent arguments; applied by their callers),
 * then system properties {@code -Dportmanager.<key>}, then environment variables {@code PORTMANAGER_<KEY>}, then
 * the config file, then the defaults. This class applies the middle two on top of what the file gave.
 */
final class SettingOverrides {
    /** The keys that may be overridden, as written in the config file. */
    private static final String[] KEYS = {"stateDir", "store", "host", "advertise", "lease", "redisCa"};

    private SettingOverrides() {
    }

    static PortManagerConfig apply(PortManagerConfig config, Properties properties, Map<String, String> env) {
        PortManagerConfig c = config;
        for (String key : KEYS) {
            String property = "portmanager." + key;
            String variable = EnvironmentNames.of(key);
            String value = nonBlank(properties.getProperty(property));
            String source = "-D" + property;
            if (value == null) {
                value = nonBlank(env.get(variable));
                source = variable;
            }
            if (value != null) {
                c = with(c, key, value, source);
            }
        }
        return c;
    }

    private static PortManagerConfig with(PortManagerConfig c, String key, String value, String source) {
        return switch (key) {
            case "stateDir" -> c.withStateDir(UserHome.expand(value));
            case "store" -> {
                try {
                    // the message quotes the URI without its user info: a password never reaches an error
                    yield c.withStore(dev.portmanager.registry.RedisStoreUri.checkStore(value));
                } catch (ConfigException e) {
                    throw new ConfigException(source + ": " + e.getMessage());
                }
            }
            case "redisCa" -> c.withRedisCa(UserHome.expand(value));
            case "host" -> c.withHost(value);
            case "advertise" -> c.withAdvertise(value);
            case "lease" -> {
                try {
                    java.time.Duration lease = Durations.parse(value);
                    if (lease.toMillis() < 1000) {
                        throw new IllegalArgumentException("lease " + value + " is too short; accepted: at least 1s");
                    }
                    yield c.withLease(lease);
                } catch (IllegalArgumentException e) {
                    throw new ConfigException(source + ": " + e.getMessage());
                }
            }
            default -> throw new IllegalStateException(key);
        };
    }

    private static String nonBlank(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }
}
