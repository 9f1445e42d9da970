package dev.portmanager.cli;

import dev.portmanager.Conflict;
import dev.portmanager.http.PortManagerApi;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "conflicts", mixinStandardHelpOptions = true,
        description = "List port conflicts: FOREIGN, SQUATTER, DUPLICATE, STALE and CONTENDED.")
final class ConflictsCommand extends Subcommand implements Callable<Integer> {
    @Option(names = "--json", description = "Print JSON (as GET /api/v1/port-management/conflicts).")
    boolean json;

    @Override
    public Integer call() {
        try (PortManagerApi api = root.openApi()) {
            List<Conflict> all = api.conflicts();
            if (json) {
                Output.json(out(), all);
                return 0;
            }
            if (all.isEmpty()) {
                out().println("No conflicts.");
                return 0;
            }
            Table t = new Table("KIND", "HOST", "PORT", "SERVICES", "PID", "COMMAND", "DETAIL");
            for (Conflict c : all) {
                t.row(c.kind(), c.host(), c.port(), c.services().isEmpty() ? "-" : String.join(",", c.services()),
                        c.pid() == 0 ? "-" : c.pid(), abbreviate(c.command()), c.detail());
            }
            t.print(out());
            return 0;
        }
    }

    private static String abbreviate(String command) {
        if (command == null) {
            return null;
        }
        return command.length() > 40 ? command.substring(0, 37) + "..." : command;
    }
}
