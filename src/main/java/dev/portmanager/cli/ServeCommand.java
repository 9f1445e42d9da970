package dev.portmanager.cli;

import dev.portmanager.http.LocalApi;
import dev.portmanager.http.PortManagerApi;
import dev.portmanager.http.SidecarServer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

@Command(name = "serve", mixinStandardHelpOptions = true,
        description = {"Serve the HTTP API (JSON) until stopped with SIGTERM or Ctrl-C.",
                "Loopback only by default; any other --bind address requires a token (--token or "
                        + "PORTMANAGER_TOKEN, at least 16 characters), which every POST and DELETE must then send "
                        + "as 'Authorization: Bearer TOKEN'."})
final class ServeCommand extends Subcommand implements Callable<Integer> {
    /** How often the sidecar notices instances on its own, so that a killed one shows DOWN for a lease. */
    private static final Duration OBSERVE_INTERVAL = Duration.ofSeconds(5);

    @Option(names = "--bind", paramLabel = "ADDRESS", defaultValue = "127.0.0.1",
            description = "Address to listen on (default: ${DEFAULT-VALUE}).")
    String bind;

    @Option(names = "--port", paramLabel = "PORT", defaultValue = "8081", converter = Converters.ListenPort.class,
            description = "Port to listen on (default: ${DEFAULT-VALUE}; 0 picks a free one).")
    int port;

    @Override
    public Integer call() throws IOException, InterruptedException {
        if (root.url != null) {
            throw usage("serve runs the API on the store itself: --url does not apply");
        }
        PortManagerApi api = root.openApi();
        SidecarServer server;
        try {
            server = SidecarServer.start(api, bind, port, root.effectiveToken());
        } catch (IllegalArgumentException e) {
            api.close();
            throw usage(e.getMessage());
        } catch (IOException e) {
            api.close();
            err().println("serve: cannot listen on " + bind + ":" + port + ": " + e.getMessage());
            return ErrorHandlers.FAILURE;
        }
        if (api instanceof LocalApi local) {
            local.observeEvery(OBSERVE_INTERVAL);
        }
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
}
