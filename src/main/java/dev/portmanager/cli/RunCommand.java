package dev.portmanager.cli;

import dev.portmanager.Allocation;
import dev.portmanager.AllocationRequest;
import dev.portmanager.Owner;
import dev.portmanager.PortManager;
import dev.portmanager.discovery.HealthProbe;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "run", mixinStandardHelpOptions = true,
        description = {"Run a (non-JVM) service under PortManager: allocate a port, start COMMAND with it in $PORT "
                + "and in place of {port} in its arguments, register it once it listens, renew its lease while it "
                + "lives and withdraw it when it exits.",
                "SIGTERM and SIGINT are passed to the command; the exit status is the command's "
                        + "(127 when it cannot be started).",
                "Example: portmanager run --service vision --type ml -- python3 -m http.server {port}"})
final class RunCommand extends Subcommand implements Callable<Integer> {
    private static final long POLL_MILLIS = 100;

    @Option(names = "--service", required = true, paramLabel = "S", converter = Converters.Name.class,
            description = "Service name it is found by.")
    String service;

    @Option(names = "--type", paramLabel = "T", converter = Converters.Name.class,
            description = "Service type; default: the known service's type, else dynamic.")
    String type;

    @Option(names = "--preferred", paramLabel = "P", converter = Converters.Port.class,
            description = "Port to try first (1-65535); default: the known service's port.")
    Integer preferred;

    @Parameters(arity = "1..*", paramLabel = "COMMAND", description = "The command and its arguments, after --.")
    List<String> command;

    @Override
    public Integer call() throws InterruptedException {
        if (root.effectiveUrl() != null) {
            throw usage("run holds the lease itself and needs the store directly: drop --url "
                    + "(and unset PORTMANAGER_URL)");
        }
        try (PortManager pm = PortManager.open(root.loadConfig())) {
            if (type != null && pm.config().rangeFor(type) == null) {
                throw usage("--type '" + type + "' is unknown: expected one of " + pm.config().knownTypes());
            }
            // The port must be known before the child starts (it is in its arguments), so this JVM holds it
            // first (taking over a reservation made with `portmanager allocate`, if any) and hands it to the
            // child once the child listens: from then on the claim lives exactly as long as the child.
            Allocation held = pm.allocate(AllocationRequest.forService(service).type(type)
                    .preferredPort(preferred == null ? 0 : preferred));
            int port = held.port();
            // The child's own output may never say where it listens: say it once, on stderr (stdout is the child's).
            err().println(spec.qualifiedName() + ": " + service + " on port " + port + " (" + held.reason() + ")");
            err().flush();
            Process child;
            try {
                child = start(port);
            } catch (IOException e) {
                pm.release(held);
                error("cannot start '" + command.get(0) + "': " + e.getMessage());
                return 127;
            }
            ChildSignals signals = ChildSignals.forward(child);
            try {
                Allocation registered = awaitListening(pm, child, held, port);
                int status = child.waitFor();
                pm.release(registered);
                return status;
            } finally {
                signals.restore();
                if (child.isAlive()) {
                    child.destroy();
                }
            }
        }
    }

    private Process start(int port) throws IOException {
        List<String> args = new ArrayList<>(command.size());
        for (String a : command) {
            args.add(a.replace("{port}", Integer.toString(port)));
        }
        ProcessBuilder pb = new ProcessBuilder(args).inheritIO();
        pb.environment().put("PORT", Integer.toString(port));
        return pb.start();
    }

    /**
     * Polls until the child accepts connections on its port, then registers it as listening and owned by the
     * child; returns what to release when the child ends.
     */
    private static Allocation awaitListening(PortManager pm, Process child, Allocation held, int port)
            throws InterruptedException {
        HealthProbe probe = new HealthProbe(200);
        while (child.isAlive()) {
            String reached = probe.accepts("127.0.0.1", port) ? "127.0.0.1"
                    : probe.accepts("::1", port) ? "::1" : null;
            if (reached != null) {
                // Advertise the configured address or the host name, unless the child only listens on loopback.
                String advertised = pm.config().advertise() != null || probe.accepts(pm.host(), port)
                        ? null : reached;
                return pm.markListening(held, advertised, Owner.of(child.toHandle()));
            }
            Thread.sleep(POLL_MILLIS);
        }
        return held;
    }
}
