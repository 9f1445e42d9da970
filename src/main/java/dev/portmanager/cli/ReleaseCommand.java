package dev.portmanager.cli;

import dev.portmanager.Allocation;
import dev.portmanager.http.ApiException;
import dev.portmanager.http.PortManagerApi;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.concurrent.Callable;

@Command(name = "release", mixinStandardHelpOptions = true,
        description = {"Release whatever allocation holds PORT on this host (a reservation or a process's port).",
                "Exit status 1 when nothing holds it."})
final class ReleaseCommand extends Subcommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "PORT", converter = Converters.Port.class, description = "1-65535.")
    int port;

    @Option(names = "--json", description = "Print the released allocation as JSON.")
    boolean json;

    static final String UNCONFIRMED = "the release holds on this host, but the Redis registry did not confirm it "
            + "(unreachable, or slower than " + PortManagerCommand.PUBLISH_WAIT.toSeconds() + " s): other hosts may "
            + "not see it yet";

    @Override
    public Integer call() {
        try (PortManagerApi api = root.openApi()) {
            Allocation a;
            try {
                a = api.release(port);
            } catch (ApiException e) {
                if (e.status() != 404) {
                    throw e;
                }
                error(e.detail());
                return ErrorHandlers.FAILURE;
            }
            if (!root.flush(api)) {
                error(UNCONFIRMED);
            }
            if (json) {
                Output.json(out(), a);
            } else {
                out().println("released " + a.port() + " (" + a.service() + ", " + a.state() + ")");
                out().flush();
            }
            return 0;
        }
    }
}
