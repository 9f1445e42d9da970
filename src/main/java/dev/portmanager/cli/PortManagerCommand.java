package dev.portmanager.cli;

import dev.portmanager.PortManager;
import dev.portmanager.config.PortManagerConfig;
import dev.portmanager.discovery.ClientSettings;
import dev.portmanager.http.LocalApi;
import dev.portmanager.http.PortManagerApi;
import dev.portmanager.http.RemoteApi;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;

/** {@code portmanager}: the top-level command and the options every subcommand shares. */
@Command(name = "portmanager", mixinStandardHelpOptions = true, versionProvider = PortManagerCommand.Version.class,
        description = {"Host-local port allocation, service discovery by name and a sidecar HTTP API.",
                "Every subcommand works on the store directly (the embedded state directory or Redis), "
                        + "or on a running sidecar with --url."},
        subcommands = {AllocationsCommand.class, UtilizationCommand.class, ConflictsCommand.class,
                ServicesCommand.class, LookupCommand.class, HealthCommand.class, AllocateCommand.class,
                ReleaseCommand.class, WatchCommand.class, ExportCommand.class, RunCommand.class, ServeCommand.class, CommandLine.HelpCommand.class},
        footer = {"", "Environment: PORTMANAGER_STATE_DIR, PORTMANAGER_STORE, PORTMANAGER_CONFIG, PORTMANAGER_URL, "
                + "PORTMANAGER_TOKEN, PORTMANAGER_HOST, PORTMANAGER_ADVERTISE, PORTMANAGER_LEASE.",
                "Where a setting comes from, highest first (as for the library and the agent): the option, "
                        + "then -Dportmanager.<key> (in PORTMANAGER_JAVA_OPTS), then the environment, then the "
                        + "config file, then the default. --config FILE is read exactly like "
                        + "PORTMANAGER_CONFIG=FILE."},
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {"0:success", "1:failure (nothing found, none healthy, range exhausted, sidecar unreachable)",
                "2:invalid command line or configuration",
                "3:partial result: the Redis registry could not be read, so only this host is shown (with --url: "
                        + "the sidecar's answer had a stale registry part; a line on stderr says why); or a change "
                        + "made on this host was not confirmed by the registry"})
public final class PortManagerCommand {

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--state-dir", scope = ScopeType.INHERIT, paramLabel = "DIR",
            description = "Host-local state directory (default: $PORTMANAGER_STATE_DIR, else the config file's "
                    + "stateDir, else $XDG_STATE_HOME/portmanager, else ~/.local/state/portmanager).")
    Path stateDir;

    @Option(names = "--store", scope = ScopeType.INHERIT, paramLabel = "STORE", converter = Converters.Store.class,
            description = "'embedded' (default), redis://[user:password@]host[:port][/db] (one server or any node "
                    + "of a cluster; rediss:// for TLS) or redis-sentinel://host:port[,host:port...][/db]#master "
                    + "(rediss-sentinel:// for TLS); "
                    + "default $PORTMANAGER_STORE, else the config file's.")
    String store;

    @Option(names = "--redis-ca", scope = ScopeType.INHERIT, paramLabel = "PEM",
            description = "CA certificate(s) that sign the rediss:// server's certificate (default "
                    + "$PORTMANAGER_REDIS_CA, else the config file's redisCa, else the JVM's trust store).")
    Path redisCa;

    @Option(names = "--config", scope = ScopeType.INHERIT, paramLabel = "FILE",
            description = "YAML config file (default: $PORTMANAGER_CONFIG, else "
                    + "$XDG_CONFIG_HOME/portmanager/config.yaml or ~/.config/portmanager/config.yaml when it "
                    + "exists). The environment wins over what the file says.")
    Path config;

    @Option(names = "--url", scope = ScopeType.INHERIT, paramLabel = "URL", converter = Converters.Url.class,
            description = "Talk to a running sidecar (e.g. http://127.0.0.1:8081) instead of the store; "
                    + "default $PORTMANAGER_URL unless --state-dir, --store or --config is given.")
    URI url;

    @Option(names = "--token", scope = ScopeType.INHERIT, paramLabel = "TOKEN",
            description = "Bearer token: required by 'serve' on a non-loopback address, sent by --url clients with "
                    + "every request (default $PORTMANAGER_TOKEN; prefer the variable, "
                    + "command lines are visible to other users).")
    String token;

    /** The sidecar URL in effect: the option, else $PORTMANAGER_URL unless a store option was given. */
    URI effectiveUrl() {
        if (url != null) {
            if (stateDir != null || store != null || config != null) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--url talks to a running sidecar; "
                        + "--state-dir, --store and --config apply to the store directly: give one or the other");
            }
            return url;
        }
        String env = System.getenv(ClientSettings.URL_ENV);
        if (env == null || env.isBlank() || stateDir != null || store != null || config != null) {
            return null;
        }
        return new Converters.Url().convert(env.trim());
    }

    String effectiveToken() {
        if (token != null) {
            return token;
        }
        String env = System.getenv("PORTMANAGER_TOKEN");
        return env == null || env.isBlank() ? null : env.trim();
    }

    PortManagerConfig loadConfig() {
        PortManagerConfig c = ClientSettings.resolve(config, stateDir, store);
        return redisCa == null ? c : c.withRedisCa(redisCa);
    }

    /** The store directly, or the sidecar with --url. */
    PortManagerApi openApi() {
        URI sidecar = effectiveUrl();
        if (sidecar != null) {
            openedRemote = new RemoteApi(sidecar, effectiveToken());
            return openedRemote;
        }
        PortManager pm = PortManager.open(loadConfig());
        opened = pm;
        openedApi = new LocalApi(pm);
        return openedApi;
    }

    /** The manager {@link #openApi()} opened, if any: it tells whether a view showed this host only. */
    private PortManager opened;
    private LocalApi openedApi;
    private RemoteApi openedRemote;

    /** Whether what the command printed lacks other hosts because the registry could not be read. */
    boolean partialResult() {
        return unpublished || (opened != null && opened.registryReadFailed())
                || (openedApi != null && openedApi.servedStale()) || (openedRemote != null && openedRemote.staleRegistry().isPresent());
    }

    /**
     * The line that says a sidecar's answer had a stale registry part, or null. (Reading the store directly, the
     * registry link says so itself, once, on stderr.)
     */
    String staleNotice() {
        if (openedRemote == null || openedRemote.staleRegistry().isEmpty()) {
            return null;
        }
        return "portmanager: registry part stale: the sidecar at " + openedRemote.base() + " could not read the "
                + "registry (" + openedRemote.staleRegistry().get() + "); shown: its host's part and its last read "
                + "of the others, which may be missing or out of date";
    }

    /** The store directly, for a long-running server whose answers must not wait long on the registry. */
    LocalApi openServedApi() {
        return new LocalApi(PortManager.open(loadConfig()), LocalApi.SIDECAR_PATIENCE);
    }

    /** Whatever this process published must reach Redis before the short-lived CLI exits. */
    /**
     * How long a one-shot command waits for its change to reach the Redis registry before it exits. Long enough
     * for a first connection on a busy machine; a registry that is found unreachable is not waited for at all.
     */
    static final Duration PUBLISH_WAIT = Duration.ofSeconds(30);

    /**
     * Waits until this process's change (an allocation or a release) is in the registry. True when it is, or
     * when there is no registry to reach (embedded store, or a sidecar that publishes on its own).
     */
    boolean flush(PortManagerApi api) {
        if (api instanceof LocalApi local && !local.portManager().flushRegistry(PUBLISH_WAIT)) {
            unpublished = true;
            return false;
        }
        return true;
    }

    /** Set when a change made here did not reach the registry before the command ended: the answer is partial. */
    private boolean unpublished;

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = PortManagerCommand.class.getPackage().getImplementationVersion();
            return new String[]{"portmanager " + (v == null ? "(development build)" : v)};
        }
    }
}
