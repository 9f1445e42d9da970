package dev.portmanager.cli;

import dev.portmanager.discovery.HealthProbe;
import dev.portmanager.http.HealthReport;
import dev.portmanager.http.PortManagerApi;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;

@Command(name = "health", mixinStandardHelpOptions = true,
        description = {"Check every instance of a service on its real port: a TCP connect, or an HTTP GET when "
                + "the service has a health path in the config.",
                "Exit status 1 when no instance is healthy (or the service is unknown)."})
final class HealthCommand extends Subcommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "NAME", converter = Converters.Name.class, description = "Service name.")
    String name;

    @Option(names = "--json", description = "Print JSON (as GET /api/v1/discovery/services/NAME/health).")
    boolean json;

    @Override
    public Integer call() {
        try (PortManagerApi api = root.openApi()) {
            Optional<HealthReport> report = api.health(name);
            if (report.isEmpty()) {
                error("no service named '" + name + "' is registered or configured");
                return ErrorHandlers.FAILURE;
            }
            HealthReport r = report.get();
            if (json) {
                Output.json(out(), r);
            } else if (r.instances().isEmpty()) {
                out().println(name + ": DOWN (no live instance)");
            } else {
                Table t = new Table("SERVICE", "ADDRESS", "PORT", "PID", "STATUS", "CHECK", "LATENCY", "DETAIL");
                for (HealthProbe.Result i : r.instances()) {
                    t.row(i.service(), i.address(), i.port(), i.pid() == 0 ? "-" : i.pid(), i.status(), i.check(),
                            String.format(Locale.ROOT, "%.1fms", i.latencyMillis()), i.detail());
                }
                t.print(out());
            }
            return r.healthy() ? 0 : ErrorHandlers.FAILURE;
        }
    }
}
