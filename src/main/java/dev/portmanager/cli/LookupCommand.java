package dev.portmanager.cli;

import dev.portmanager.Endpoint;
import dev.portmanager.http.PortManagerApi;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "lookup", mixinStandardHelpOptions = true,
        description = {"Print one host:port per live instance of a service (its advertised address).",
                "Exit status 1 when there is none."})
final class LookupCommand extends Subcommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "NAME", converter = Converters.Name.class, description = "Service name.")
    String name;

    @Option(names = "--endpoint", paramLabel = "E", converter = Converters.Name.class,
            description = "Only this endpoint of the service (e.g. admin); default: all.")
    String endpoint;

    @Override
    public Integer call() {
        try (PortManagerApi api = root.openApi()) {
            List<Endpoint> found = api.lookup(name).stream()
                    .filter(e -> endpoint == null || endpoint.equals(e.endpoint())).toList();
            if (found.isEmpty()) {
                error("no live instance of '" + name + "'"
                        + (endpoint == null ? "" : " with endpoint '" + endpoint + "'"));
                return ErrorHandlers.FAILURE;
            }
            for (Endpoint e : found) {
                out().println(TerminalText.safe(e.authority()));
            }
            out().flush();
            return 0;
        }
    }
}
