package dev.portmanager.cli;

import dev.portmanager.Allocation;
import dev.portmanager.http.PortManagerApi;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "allocations", mixinStandardHelpOptions = true,
        description = "List live allocations (reserved, allocated and listening ports).")
final class AllocationsCommand extends Subcommand implements Callable<Integer> {
    @Option(names = "--json", description = "Print JSON (as GET /api/v1/port-management/allocations).")
    boolean json;

    @Override
    public Integer call() {
        try (PortManagerApi api = root.openApi()) {
            List<Allocation> all = api.allocations().stream()
                    .sorted(Comparator.comparing(Allocation::host).thenComparingInt(Allocation::port)).toList();
            if (json) {
                Output.json(out(), all);
                return 0;
            }
            if (all.isEmpty()) {
                out().println("No allocations.");
                return 0;
            }
            Table t = new Table("PORT", "SERVICE", "TYPE", "STATE", "HOST", "PID", "ENDPOINT", "SINCE", "ENDS",
                    "REASON");
            for (Allocation a : all) {
                // A reservation ends with its ttl; an owned port lives as long as its process (the lease only
                // matters to the registry, which the owner keeps renewing).
                String ends = a.pid() == 0 ? Ages.until(a.leaseUntil()) : "with pid " + a.pid();
                t.row(a.port(), a.service(), a.type(), a.state(), a.host(), a.pid() == 0 ? "-" : a.pid(),
                        a.endpoint(), Ages.ago(a.createdAt()), ends, a.reason());
            }
            t.print(out());
            return 0;
        }
    }
}
