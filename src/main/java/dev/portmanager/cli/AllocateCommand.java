package dev.portmanager.cli;

import dev.portmanager.Allocation;
import dev.portmanager.config.Durations;
import dev.portmanager.http.AllocateBody;
import dev.portmanager.http.PortManagerApi;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.Callable;

@Command(name = "allocate", mixinStandardHelpOptions = true,
        description = {"Reserve a port for a service that will start later.",
                "The reservation has no owner process: it outlives this command and lasts until "
                        + "'portmanager release PORT' or until its ttl ends (default: the config's "
                        + "reservationTtl, 1h). The service that then binds under this name takes exactly this port.",
                "Prints: PORT reserved for SERVICE ..."})
final class AllocateCommand extends Subcommand implements Callable<Integer> {
    @Option(names = "--service", required = true, paramLabel = "S", converter = Converters.Name.class,
            description = "Service name.")
    String service;

    @Option(names = "--type", paramLabel = "T", converter = Converters.Name.class,
            description = "Service type (a range's type, e.g. ml, gateway, dynamic); default: the known "
                    + "service's type, else dynamic.")
    String type;

    @Option(names = "--preferred", paramLabel = "P", converter = Converters.Port.class,
            description = "Port to try first (1-65535); default: the known service's port.")
    Integer preferred;

    @Option(names = "--ttl", paramLabel = "D", converter = Converters.Ttl.class,
            description = "How long the reservation lasts, e.g. 30m, 2h, 1d (default: reservationTtl, 1h).")
    Duration ttl;

    @Option(names = "--json", description = "Print the allocation as JSON.")
    boolean json;

    static final String UNCONFIRMED = "the reservation holds on this host, but the Redis registry did not confirm it "
            + "(unreachable, or slower than " + PortManagerCommand.PUBLISH_WAIT.toSeconds() + " s): other hosts may "
            + "not see it yet";

    @Override
    public Integer call() {
        try (PortManagerApi api = root.openApi()) {
            Allocation a = api.allocate(new AllocateBody(service, type, preferred,
                    ttl == null ? null : Durations.format(ttl)));
            if (!root.flush(api)) {
                error(UNCONFIRMED);
            }
            if (json) {
                Output.json(out(), a);
            } else {
                out().println(a.port() + " reserved for " + a.service() + " (type " + a.type() + ", on " + a.host()
                        + ") until " + Instant.ofEpochMilli(a.leaseUntil()).truncatedTo(ChronoUnit.SECONDS)
                        + (a.reason() == null ? "" : "; " + a.reason()));
                out().flush();
            }
            return 0;
        }
    }
}
