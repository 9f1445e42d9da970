package dev.portmanager.cli;

import dev.portmanager.RangeUtilization;
import dev.portmanager.http.PortManagerApi;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

@Command(name = "utilization", mixinStandardHelpOptions = true,
        description = {"Show usage per port range on this host.",
                "IN RANGE: ports of the range held by allocations of any type (a service's preferred port may lie "
                        + "in another type's range); OF TYPE: allocations of the row's type (aliases included, "
                        + "e.g. legacy under dynamic) wherever their port lies; UNMANAGED: ports of the range "
                        + "in use by processes PortManager does not manage; FREE and USED count the range's "
                        + "ports."})
final class UtilizationCommand extends Subcommand implements Callable<Integer> {
    @Option(names = "--json", description = "Print JSON (as GET /api/v1/port-management/utilization).")
    boolean json;

    @Override
    public Integer call() {
        try (PortManagerApi api = root.openApi()) {
            List<RangeUtilization> all = api.utilization();
            if (json) {
                Output.json(out(), all);
                return 0;
            }
            Table t = new Table("TYPE", "RANGE", "NAME", "PRIORITY", "SIZE", "IN RANGE", "OF TYPE", "UNMANAGED",
                    "FREE", "USED");
            for (RangeUtilization u : all) {
                t.row(u.type(), u.start() + "-" + u.end(), u.name(), u.priority(), u.size(), u.allocated(),
                        u.ofType(), u.unmanaged(), u.free(), String.format(Locale.ROOT, "%.1f%%", u.percentUsed()));
            }
            t.print(out());
            out().println("IN RANGE: allocations on the range's ports, any type; OF TYPE: allocations of the type, "
                    + "any port.");
            out().flush();
            return 0;
        }
    }
}
