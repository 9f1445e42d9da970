package dev.portmanager.cli;

import dev.portmanager.Allocation;
import dev.portmanager.AllocationRequest;
import dev.portmanager.Owner;
import dev.portmanager.PortManager;
import dev.portmanager.discovery.HealthProbe;
import dev.portmanager.config.Durations;
import dev.portmanager.http.Validation;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

@Command(name = "run", mixinStandardHelpOptions = true,
        description = {"Run a (non-JVM) service under PortManager: allocate a port, start COMMAND with it in $PORT "
                + "and in place of {port} in its arguments, register it once it listens, renew its lease while it "
                + "lives and withdraw it when it exits.",
                "SIGTERM, SIGINT and SIGHUP are passed to the command, and SIGQUIT too when run is started "
                        + "through the portmanager launcher (a Ctrl-C or Ctrl-\\ the terminal already delivered "
                        + "to it is not sent twice); if run is killed, the command is stopped too. The exit status "
                        + "is the command's (127 when it cannot be started).",
                "Example: portmanager run --service vision --type ml -- python3 -m http.server {port}"})
final class RunCommand extends Subcommand implements Callable<Integer> {
    private static final long POLL_MILLIS = 100;
    /** As the watchdog: SIGTERM, then SIGKILL when the command has not ended after this long. */
    private static final long LAUNCHER_GONE_GRACE_SECONDS = 10;

    @Option(names = "--service", required = true, paramLabel = "S", converter = Converters.Name.class,
            description = "Service name it is found by.")
    String service;

    @Option(names = "--type", paramLabel = "T", converter = Converters.Name.class,
            description = "Service type; default: the known service's type, else dynamic.")
    String type;

    @Option(names = "--preferred", paramLabel = "P", converter = Converters.Port.class,
            description = "Port to try first (1-65535); default: the known service's port.")
    Integer preferred;

    @Option(names = "--listen-timeout", paramLabel = "DURATION", defaultValue = "30s",
            converter = ListenTimeout.class,
            description = "Say so when the command has not listened on its port after this long (default: "
                    + "${DEFAULT-VALUE}); run keeps waiting.")
    Duration listenTimeout;

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
            RunWatchdog watchdog = RunWatchdog.start(child);
            stopWithLauncher(child);
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
                if (watchdog != null) {
                    watchdog.close();
                }
            }
        }
    }

    /**
     * Started by the launcher that relays signals ({@link ChildSignals}), run is that launcher to whoever started
     * it: killed (SIGKILL too), it must take the command along, as the watchdog does when this JVM is killed. The
     * command's end then ends run the usual way: its registration withdrawn, this JVM gone.
     */
    private void stopWithLauncher(Process child) {
        ProcessHandle launcher = ChildSignals.relayPid();
        if (launcher == null) {
            return;
        }
        launcher.onExit().thenRunAsync(() -> {
            if (!child.isAlive()) {
                return;
            }
            err().println(spec.qualifiedName() + ": its launcher (pid " + launcher.pid() + ") was killed; stopping "
                    + "its command (pid " + child.pid() + ")");
            err().flush();
            child.destroy();
            try {
                if (!child.waitFor(LAUNCHER_GONE_GRACE_SECONDS, TimeUnit.SECONDS)) {
                    child.destroyForcibly();
                }
            } catch (InterruptedException e) {
                child.destroyForcibly();
            }
        });
    }

    private Process start(int port) throws IOException {
        List<String> args = new ArrayList<>(command.size());
        for (String a : command) {
            args.add(a.replace("{port}", Integer.toString(port)));
        }
        ProcessBuilder pb = new ProcessBuilder(QuitUnblocked.wrap(args)).inheritIO();
        pb.environment().put("PORT", Integer.toString(port));
        return pb.start();
    }

    /**
     * Polls until the child accepts connections on its port, then registers it as listening and owned by the
     * child; returns what to release when the child ends.
     */
    private Allocation awaitListening(PortManager pm, Process child, Allocation held, int port)
            throws InterruptedException {
        HealthProbe probe = new HealthProbe(200);
        long warnAt = System.nanoTime() + listenTimeout.toNanos();
        NotListening notice = new NotListening(child, port);
        while (child.isAlive()) {
            String reached = probe.accepts("127.0.0.1", port) ? "127.0.0.1"
                    : probe.accepts("::1", port) ? "::1" : null;
            if (reached != null) {
                // Advertise the configured address or the host name, unless the child only listens on loopback.
                String advertised = pm.config().advertise() != null || probe.accepts(pm.host(), port)
                        ? null : reached;
                return pm.markListening(held, advertised, Owner.of(child.toHandle()));
            }
            if (System.nanoTime() - warnAt >= 0) {
                notice.check();
            }
            Thread.sleep(POLL_MILLIS);
        }
        return held;
    }

    /**
     * Says once that the command has not listened on its port in time, naming the ports it listens on instead;
     * when it listens nowhere yet, looks again now and then and names the port once one appears (a command that
     * ignores {port} and $PORT usually binds its own default a little later).
     */
    private final class NotListening {
        private static final long RECHECK_NANOS = 1_000_000_000L;
        private final Process child;
        private final int port;
        private boolean said;
        private boolean namedElsewhere;
        private long nextCheck;

        NotListening(Process child, int port) {
            this.child = child;
            this.port = port;
        }

        void check() {
            if (namedElsewhere || System.nanoTime() - nextCheck < 0) {
                return;
            }
            nextCheck = System.nanoTime() + RECHECK_NANOS;
            Set<Integer> elsewhere = ChildListeners.portsOf(child.toHandle());
            elsewhere.remove(port);
            String who = spec.qualifiedName() + ": " + command.get(0) + " (pid " + child.pid() + ")";
            String ports = elsewhere.stream().map(String::valueOf).collect(Collectors.joining(", "));
            String instead = (elsewhere.size() == 1 ? "port " : "ports ") + ports
                    + " instead: pass it {port} or $PORT";
            if (!said) {
                said = true;
                namedElsewhere = !elsewhere.isEmpty();
                say(who + " has not listened on its port " + port + " after " + Durations.format(listenTimeout)
                        + "; " + (elsewhere.isEmpty() ? "it listens on no TCP port yet" : "it listens on " + instead)
                        + ". Still waiting.");
            } else if (!elsewhere.isEmpty()) {
                namedElsewhere = true;
                say(who + " now listens on " + instead + " (its port is " + port + ")");
            }
        }

        private void say(String line) {
            err().println(line);
            err().flush();
        }
    }

    /** A positive duration: 500ms, 30s, 2m. */
    static final class ListenTimeout implements CommandLine.ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            Duration d;
            try {
                d = Durations.parse(value);
            } catch (IllegalArgumentException | ArithmeticException e) {
                d = null;
            }
            if (d == null || d.isZero() || d.isNegative()) {
                throw new CommandLine.TypeConversionException("'" + Validation.printable(value)
                        + "' is not accepted: expected a positive duration, " + Durations.ACCEPTED);
            }
            return d;
        }
    }
}
