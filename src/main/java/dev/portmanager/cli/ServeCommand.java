package dev.portmanager.cli;

import dev.portmanager.PortManager;
import dev.portmanager.config.PortRange;
import dev.portmanager.host.PortHolders;
import dev.portmanager.http.LocalApi;
import dev.portmanager.http.SidecarServer;
import dev.portmanager.http.SidecarSettings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

@Command(name = "serve", mixinStandardHelpOptions = true,
        description = {"Serve the HTTP API (JSON) until stopped with SIGTERM or Ctrl-C.",
                "Loopback only by default; any other --bind address requires a token (--token or "
                        + "PORTMANAGER_TOKEN, at least 16 characters), which every request must then send "
                        + "as 'Authorization: Bearer TOKEN' (on loopback: every POST and DELETE).",
                "Every POST and DELETE must send 'Content-Type: application/json'; requests naming another "
                        + "Host or carrying a foreign Origin are refused (see --allow-host, --allow-origin)."})
final class ServeCommand extends Subcommand implements Callable<Integer> {
    /** The name the sidecar's own port is registered under. */
    static final String SERVICE = "portmanager-sidecar";

    /** How often the sidecar notices instances on its own, so that a killed one shows DOWN for a lease. */
    private static final Duration OBSERVE_INTERVAL = Duration.ofSeconds(5);

    @Option(names = "--bind", paramLabel = "ADDRESS", defaultValue = "127.0.0.1",
            description = "Address to listen on (default: ${DEFAULT-VALUE}).")
    String bind;

    @Option(names = "--port", paramLabel = "PORT", defaultValue = "8081", converter = Converters.ListenPort.class,
            description = "Port to listen on (default: ${DEFAULT-VALUE}; 0 picks a free one).")
    int port;

    @Option(names = "--allow-host", paramLabel = "NAME",
            description = "Also accept requests whose Host header is NAME (repeatable). Accepted anyway: the "
                    + "--bind address, localhost and loopback addresses; on a wildcard bind also this host's name "
                    + "and interface addresses.")
    List<String> allowHosts = new ArrayList<>();

    @Option(names = "--allow-origin", paramLabel = "ORIGIN",
            description = "Let web pages from ORIGIN (scheme://host[:port]) call the API from a browser (CORS; "
                    + "repeatable). Without it, requests carrying another Origin are refused.")
    List<String> allowOrigins = new ArrayList<>();

    @Option(names = "--tls-cert", paramLabel = "FILE",
            description = "Serve HTTPS with this PEM certificate chain (with --tls-key).")
    Path tlsCert;

    @Option(names = "--tls-key", paramLabel = "FILE",
            description = "PEM private key (PKCS#8) for --tls-cert; an encrypted key's password comes from "
                    + "PORTMANAGER_TLS_PASSWORD.")
    Path tlsKey;

    @Option(names = "--tls-keystore", paramLabel = "FILE",
            description = "Serve HTTPS with the key in this PKCS#12 or JKS key store (password from "
                    + "PORTMANAGER_TLS_PASSWORD).")
    Path tlsKeyStore;

    @Override
    public Integer call() throws IOException, InterruptedException {
        if (root.url != null) {
            throw usage("serve runs the API on the store itself: --url does not apply");
        }
        SidecarSettings.Tls tls = tls(); // checked before the store is opened: a usage error costs nothing
        LocalApi api = root.openServedApi();
        SidecarServer server;
        try {
            server = SidecarServer.start(api, new SidecarSettings(bind, port, root.effectiveToken(), allowHosts,
                    allowOrigins, tls));
        } catch (IllegalArgumentException e) {
            api.close();
            throw usage(e.getMessage());
        } catch (IOException e) {
            api.close();
            error("cannot listen on " + bind + ":" + port + ": " + e.getMessage()
                    + busyHint());
            return ErrorHandlers.FAILURE;
        }
        registerItself(api.portManager(), server);
        api.observeEvery(OBSERVE_INTERVAL);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            api.close();
            stopped.countDown();
        }, "portmanager-serve-shutdown"));
        // Tests and scripts wait for this line; keep its form stable.
        out().println("portmanager sidecar listening on " + server.url());
        out().flush();
        stopped.await();
        return 0;
    }

    /** The TLS options, checked for completeness; null for plain HTTP. */
    private SidecarSettings.Tls tls() {
        String password = System.getenv("PORTMANAGER_TLS_PASSWORD");
        if (tlsKeyStore != null) {
            if (tlsCert != null || tlsKey != null) {
                throw usage("--tls-keystore and --tls-cert/--tls-key are two ways to give the key: use one");
            }
            return SidecarSettings.Tls.keyStore(tlsKeyStore, password);
        }
        if (tlsCert == null && tlsKey == null) {
            return null;
        }
        if (tlsCert == null || tlsKey == null) {
            throw usage("--tls-cert and --tls-key go together: the PEM certificate chain and its private key");
        }
        return SidecarSettings.Tls.pem(tlsCert, tlsKey, password);
    }

    /** When the port is taken: who holds it, and the way out. */
    private String busyHint() {
        String holder = port == 0 ? null : PortHolders.describe(port);
        return (holder == null ? "" : " (" + port + " is held by " + holder + ")")
                + "; choose another port with --port PORT (--port 0 picks a free one)";
    }

    /**
     * The sidecar's own port is PortManager's, not a squatter's: inside a managed range (8081 is in the gateway
     * range) it is recorded as a listening allocation of this process (service {@value #SERVICE}), released when
     * the sidecar stops. Outside every range (e.g. --port 0) nothing would report it, so nothing is recorded.
     */
    private static void registerItself(PortManager pm, SidecarServer server) {
        InetSocketAddress a = server.address();
        PortRange range = pm.config().rangeContaining(a.getPort());
        if (range != null) {
            String advertised = a.getAddress().isLoopbackAddress() ? a.getAddress().getHostAddress() : null;
            pm.registerListening(SERVICE, range.type(), "http", a.getPort(), advertised);
        }
    }
}
