package dev.portmanager.discovery;

import dev.portmanager.config.ConfigException;
import dev.portmanager.config.ConfigFile;
import dev.portmanager.config.PortManagerConfig;
import dev.portmanager.registry.RedisStoreUri;

import java.nio.file.Path;

/**
 * How a client process (the CLI, {@link DiscoveryClient}) finds its configuration: the config file
 * ({@code --config}, else {@code ConfigFile.discover()}), then {@code PORTMANAGER_STORE} or an explicit store,
 * then an explicit state directory. One place, so the CLI and the library never disagree about where state is.
 */
public final class ClientSettings {
    /** Environment variable naming the store: {@code embedded} or a {@code redis://} / {@code rediss://} URI. */
    public static final String STORE_ENV = "PORTMANAGER_STORE";
    /** Environment variable naming a running sidecar, e.g. {@code http://127.0.0.1:8081}. */
    public static final String URL_ENV = "PORTMANAGER_URL";
    public static final String STORE_RULE = "'embedded', or a redis://[user:password@]host[:port][/db], rediss:// "
            + "or redis-sentinel://host:port[,host:port...][/db]#master URI";

    private ClientSettings() {
    }

    /**
     * @param configFile explicit file, or null to discover one
     * @param stateDir   explicit state directory, or null for the file's (or the default)
     * @param store      explicit store, or null for $PORTMANAGER_STORE, else the file's
     */
    public static PortManagerConfig resolve(Path configFile, Path stateDir, String store) {
        PortManagerConfig config = configFile != null ? ConfigFile.load(configFile) : ConfigFile.discover();
        String chosen = store != null ? store : blankToNull(System.getenv(STORE_ENV));
        if (chosen != null) {
            config = config.withStore(checkStore(chosen));
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
