package dev.portmanager.config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Reads the YAML config file that overrides the defaults. Every key is optional:
 *
 * <pre>
 * stateDir: /var/lib/portmanager      # host-local state shared by every process on the host
 * store: embedded                      # or redis://[user:password@]host:6379/0, rediss:// for TLS,
 *                                      # redis-sentinel://h1:26379,h2:26379/0#master (rediss-sentinel:// for TLS)
 * redisPrefix: portmanager
 * redisCa: /etc/portmanager/redis-ca.pem  # CA that signs the rediss:// server's certificate
 * host: web-01                         # name of this host in the registry (default: detected)
 * advertise: 10.0.0.5                  # address clients use for wildcard binds (default: derived)
 * lease: 30s                           # registrations are renewed every third of this
 * cooldown: 10s                        # a freed port rests this long before another service takes it
 * reservationTtl: 1h                   # default lifetime of an ahead-of-time reservation
 * ranges:                              # override a default range or add a type
 *   ml: { start: 8300, end: 8499, priority: 2 }
 *   llm: { start: 12000, end: 12099, priority: 2, name: llm-services }
 * aliases:                             # types without a range of their own
 *   legacy: dynamic
 * services:                            # known services
 *   emotion: { type: ml, preferred: 8088, healthPath: /health }
 * routes: 8085@com.acme.gateway.voice=voice   # the agent's connect routes; or a list of items
 * </pre>
 *
 * {@link #discover()} then applies system properties and the environment ({@code PORTMANAGER_STATE_DIR},
 * {@code PORTMANAGER_STORE}, ...), which win over the file.
 * Any mistake is reported as one {@link ConfigException} naming the file, the line and what is accepted.
 *
 * <p>The YAML itself is read by {@link ConfigYaml}, a class of its own so that finding no file (the common case for
 * the agent, on an app's first bind) loads nothing of SnakeYAML.
 */
public final class ConfigFile {
    private ConfigFile() {
    }

    /**
     * The defaults, overridden by the file named in {@code -Dportmanager.config} or {@code $PORTMANAGER_CONFIG},
     * else by {@code $XDG_CONFIG_HOME/portmanager/config.yaml} (or {@code ~/.config/portmanager/config.yaml}) when
     * that exists; then by system properties and the environment (see {@link #discover(Path)}).
     */
    public static PortManagerConfig discover() {
        return discover(null);
    }

    /**
     * Like {@link #discover()}, but reading {@code explicitFile} when it is not null (a {@code --config} option or
     * an agent's {@code config=} argument), exactly as if it had been named by {@code $PORTMANAGER_CONFIG}: system
     * properties ({@code -Dportmanager.stateDir}, {@code .store}, {@code .host}, {@code .advertise},
     * {@code .lease}) and then the environment ({@code PORTMANAGER_STATE_DIR}, ...) win over the file.
     */
    public static PortManagerConfig discover(Path explicitFile) {
        Path explicit = explicitFile != null ? explicitFile : explicitPath();
        Path conventional = conventionalPath();
        PortManagerConfig fromFile = explicit != null ? load(explicit)
                : Files.isRegularFile(conventional) ? load(conventional) : PortManagerConfig.defaults();
        return SettingOverrides.apply(fromFile, System.getProperties(), System.getenv());
    }

    /** The environment wins over the file (no system properties): for tests of the precedence. */
    static PortManagerConfig withEnvironment(PortManagerConfig config, Map<String, String> env) {
        return SettingOverrides.apply(config, new java.util.Properties(), env);
    }

    /** The file named by -Dportmanager.config or $PORTMANAGER_CONFIG, or null. */
    public static Path explicitPath() {
        String prop = System.getProperty("portmanager.config");
        if (prop != null && !prop.isBlank()) {
            return UserHome.expand(prop.trim());
        }
        String env = System.getenv("PORTMANAGER_CONFIG");
        return env != null && !env.isBlank() ? UserHome.expand(env.trim()) : null;
    }

    static Path conventionalPath() {
        String xdg = System.getenv("XDG_CONFIG_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : UserHome.get().resolve(".config");
        return base.resolve("portmanager").resolve("config.yaml");
    }

    /** The defaults overridden by one file. */
    public static PortManagerConfig load(Path file) {
        return load(file, PortManagerConfig.defaults());
    }

    /** {@code base} overridden by one file. */
    public static PortManagerConfig load(Path file, PortManagerConfig base) {
        return ConfigYaml.read(file, base);
    }
}
