package dev.portmanager.cli;

import dev.portmanager.RangeUtilization;
import dev.portmanager.http.PortManagerApi;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

@Command(name = "utilization", mixinStandardHelpOptions = true,
        description = "Show usage per port range: allocated, in use by unmanaged processes, free.")
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
            Table t = new Table("TYPE", "RANGE", "NAME", "PRIORITY", "SIZE", "ALLOCATED", "UNMANAGED", "FREE",
                    "USED");
            for (RangeUtilization u : all) {
                t.row(u.type(), u.start() + "-" + u.end(), u.name(), u.priority(), u.size(), u.allocated(),
                        u.unmanaged(), u.free(), String.format(Locale.ROOT, "%.1f%%", u.percentUsed()));
            }
            t.print(out());
            return 0;
        }
    }
}
