package dev.portmanager.cli;

import dev.portmanager.Conflict;
import dev.portmanager.ConflictKind;
import dev.portmanager.RangeUtilization;
import dev.portmanager.http.PortManagerApi;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "conflicts", mixinStandardHelpOptions = true,
        description = {"List port conflicts: FOREIGN, SQUATTER, DUPLICATE, STALE and CONTENDED.",
                "A process PortManager does not manage listening in a priority-1 range (the database, cache and "
                        + "monitoring ranges, e.g. Postgres on 5432 or Redis on 6379) is infrastructure in its "
                        + "own range, not a conflict: it is counted in one line, and listed with --all."})
final class ConflictsCommand extends Subcommand implements Callable<Integer> {
    /** Rows are kept under this width unless --wide is given. */
    static final int LINE_WIDTH = 120;
    private static final int COMMAND_WIDTH = 32;

    @Option(names = "--json", description = "Print JSON (as GET /api/v1/port-management/conflicts): every finding.")
    boolean json;

    @Option(names = "--all", description = "Also list unmanaged processes in priority-1 ranges (infrastructure).")
    boolean all;

    @Option(names = "--wide", description = "Print each row on one line, every column in full (otherwise rows "
            + "stay under " + LINE_WIDTH + " columns: long commands are cut, DETAIL wraps).")
    boolean wide;

    @Override
    public Integer call() {
        try (PortManagerApi api = root.openApi()) {
            List<Conflict> found = api.conflicts();
            if (json) {
                Output.json(out(), found);
                return 0;
            }
            List<RangeUtilization> ranges = api.utilization();
            List<Conflict> conflicts = new ArrayList<>();
            List<Conflict> infrastructure = new ArrayList<>();
            for (Conflict c : found) {
                (isInfrastructure(c, ranges) ? infrastructure : conflicts).add(c);
            }
            if (conflicts.isEmpty()) {
                out().println("No conflicts.");
            } else {
                table(conflicts).print(out());
            }
            if (!infrastructure.isEmpty()) {
                if (all) {
                    out().println();
                    out().println("Infrastructure in its own range (not managed by PortManager; nothing to do):");
                    table(infrastructure).print(out());
                } else {
                    String summary = summary(infrastructure);
                    for (String line : wide ? List.of(summary) : HelpLayout.wrap(summary, LINE_WIDTH - 1)) {
                        out().println(line);
                    }
                }
            }
            out().flush();
            return 0;
        }
    }

    /** An unmanaged listener in a priority-1 range: that range exists for such services. */
    static boolean isInfrastructure(Conflict c, List<RangeUtilization> ranges) {
        if (c.kind() != ConflictKind.SQUATTER) {
            return false;
        }
        for (RangeUtilization r : ranges) {
            if (c.port() >= r.start() && c.port() <= r.end()) {
                return r.priority() == 1;
            }
        }
        return false;
    }

    private static String summary(List<Conflict> infrastructure) {
        List<String> ports = new ArrayList<>();
        for (Conflict c : infrastructure) {
            String name = c.command() == null ? "" : " " + c.command().split(" ", 2)[0];
            ports.add(c.port() + name);
        }
        return "Not conflicts: " + infrastructure.size() + " unmanaged "
                + (infrastructure.size() == 1 ? "process listens" : "processes listen")
                + " in priority-1 ranges, as infrastructure does (" + String.join(", ", ports)
                + "); --all lists them.";
    }

    private Table table(List<Conflict> rows) {
        Table t = new Table("KIND", "HOST", "PORT", "SERVICES", "PID", "COMMAND", "DETAIL");
        for (Conflict c : rows) {
            t.row(c.kind(), c.host(), c.port(), c.services().isEmpty() ? "-" : String.join(",", c.services()),
                    c.pid() == 0 ? "-" : c.pid(), c.command(), c.detail());
        }
        if (!wide) {
            t.limit(5, COMMAND_WIDTH).fit(LINE_WIDTH);
        }
        return t;
    }
}
