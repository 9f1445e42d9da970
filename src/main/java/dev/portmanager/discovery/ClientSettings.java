package dev.portmanager.discovery;

import dev.portmanager.config.ConfigException;
import dev.portmanager.config.ConfigFile;
import dev.portmanager.config.PortManagerConfig;
import dev.portmanager.registry.RedisStoreUri;

import java.nio.file.Path;

/**
 * How a client process (the CLI, {@link DiscoveryClient}) finds its configuration: explicit options, then
 * system properties, then the environment, then the config file ({@code --config}, else the discovered one),
 * then the defaults. One place, so the CLI and the library never disagree about where state is.
 */
public final class ClientSettings {
    /** Environment variable naming the store: {@code embedded} or a {@code redis://} / {@code rediss://} URI. */
    public static final String STORE_ENV = "PORTMANAGER_STORE";
    /** Environment variable naming a running sidecar, e.g. {@code http://127.0.0.1:8081}. */
    public static final String URL_ENV = "PORTMANAGER_URL";
    public static final String STORE_RULE = "'embedded', or a redis://[user:password@]host[:port][/db], rediss:// "
            + "or redis-sentinel://host:port[,host:port...][/db]#master URI (rediss-sentinel:// for TLS)";

    private ClientSettings() {
    }

    /**
     * The one precedence (as for the agent): explicit arguments, then system properties, then the environment,
     * then the config file, then the defaults. An explicit {@code configFile} is read exactly as if
     * {@code $PORTMANAGER_CONFIG} named it.
     *
     * @param configFile explicit file, or null to discover one
     * @param stateDir   explicit state directory, or null for -Dportmanager.stateDir, $PORTMANAGER_STATE_DIR, the
     *                   file's, or the default
     * @param store      explicit store, or null for -Dportmanager.store, $PORTMANAGER_STORE, the file's
     */
    public static PortManagerConfig resolve(Path configFile, Path stateDir, String store) {
        PortManagerConfig config = ConfigFile.discover(configFile);
        if (store != null) {
            config = config.withStore(checkStore(store));
        }
        if (stateDir != null) {
            config = config.withStateDir(stateDir);
        }
        return config;
    }

    /**
     * Returns the store if its form is accepted, else throws naming the accepted forms; the message never quotes a
     * password.
     */
    public static String checkStore(String store) {
        try {
            return RedisStoreUri.checkStore(store);
        } catch (ConfigException e) {
            throw new IllegalArgumentException(e.getMessage());
        }
    }

    static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }
}
