package dev.portmanager.cli;

import dev.portmanager.http.InstanceView;
import dev.portmanager.http.PortManagerApi;
import dev.portmanager.http.ServiceView;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "services", mixinStandardHelpOptions = true,
        description = "List services with their live instances, each checked on its real port now.")
final class ServicesCommand extends Subcommand implements Callable<Integer> {
    @Option(names = "--json", description = "Print JSON (as GET /api/v1/discovery/services).")
    boolean json;

    @Override
    public Integer call() {
        try (PortManagerApi api = root.openApi()) {
            List<ServiceView> all = api.services();
            if (json) {
                Output.json(out(), all);
                return 0;
            }
            if (all.isEmpty()) {
                out().println("No services are registered.");
                return 0;
            }
            Table t = new Table("SERVICE", "ENDPOINT", "ADDRESS", "PORT", "TYPE", "HOST", "PID", "HEALTH", "SINCE");
            for (ServiceView s : all) {
                for (InstanceView i : s.instances()) {
                    String health = i.ownerGone() ? i.health() + " (process gone)" : i.health();
                    t.row(s.name(), i.endpoint(), i.address(), i.port(), i.type(), i.host(),
                            i.pid() == 0 ? "-" : i.pid(), health, Ages.ago(i.since()));
                }
            }
            t.print(out());
            return 0;
        }
    }
}
