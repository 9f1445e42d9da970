package dev.portmanager.samples.demo;

import dev.portmanager.Allocation;
import dev.portmanager.Endpoint;
import dev.portmanager.PortManager;
import dev.portmanager.config.PortManagerConfig;
import dev.portmanager.samples.fleet.GoApiGateway;
import dev.portmanager.samples.fleet.gateway.Backend;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The README's first command (samples/demo.sh runs this after building): the design's legacy fleet, unchanged,
 * under the agent, with a real squatter and a real clash, and everything it prints read back from PortManager
 * and the kernel.
 */
public final class Demo {
    /** emotion's hardcoded port: an unrelated process takes it first so that a squatter is part of the story. */
    static final int SQUATTED_PORT = 8088;
    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);
    /** The end of a gateway answer: the service that answered, and its pid. */
    private static final Pattern ANSWER = Pattern.compile("answered: (\\S+) \\(.*\\) listening on port \\d+, pid (\\d+)\\s*$");

    private final Fleet fleet;
    private final PortManager pm;

    Demo(Fleet fleet, PortManager pm) {
        this.fleet = fleet;
        this.pm = pm;
    }

    public static void main(String[] args) throws Exception {
        Options options;
        try {
            options = Options.parse(args);
        } catch (Options.UsageException e) {
            System.err.println((e.getMessage() == null ? "" : e.getMessage() + "\n\n") + Options.USAGE);
            System.exit(e.getMessage() == null ? 0 : 2);
            return;
        }
        if (options.stopDir() != null) {
            System.exit(StopCommand.run(options.stopDir()));
        }
        Path home = Path.of(System.getProperty("portmanager.home", ".")).toAbsolutePath().normalize();
        Path runDir = Files.createTempDirectory("portmanager-demo-");
        Settings settings = new Settings(home, options.stateDir(), options.store(), runDir);
        settings.requireBuilt();
        Files.createDirectories(settings.stateDir());
        Fleet fleet = new Fleet(settings);
        // Ctrl-C reaches this JVM as SIGINT: the hook stops whatever was started so far, and only that.
        java.util.concurrent.atomic.AtomicBoolean succeeded = new java.util.concurrent.atomic.AtomicBoolean();
        Thread hook = new Thread(() -> {
            stopAndReport(fleet);
            if (succeeded.get()) {
                deleteRunDir(runDir); // the logs are only worth keeping when something went wrong
            }
        }, "demo-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        int status = 0;
        try (PortManager pm = PortManager.open(PortManagerConfig.defaults()
                .withStateDir(settings.stateDir()).withStore(settings.store()))) {
            new Demo(fleet, pm).run();
        } catch (Fleet.Interrupted e) {
            System.out.println("\nInterrupted: " + e.getMessage() + ".");
            status = 130;
        } catch (RuntimeException | IOException e) {
            // A member that would not start, an unreachable store...: say what, then the hook cleans up.
            System.out.println("\nThe demo failed: " + (e instanceof IllegalStateException ? e.getMessage() : e));
            status = 1;
        }
        if (options.keep() && status == 0) {
            Runtime.getRuntime().removeShutdownHook(hook);
            printKeep(fleet);
        } else if (status != 0) {
            System.out.println("Logs of every process: " + runDir);
        }
        succeeded.set(status == 0);
        System.exit(status); // runs the hook unless --keep removed it
    }

    void run() throws IOException, InterruptedException {
        Settings s = fleet.settings();
        System.out.println("PortManager demo: the design's legacy fleet, ports hardcoded, started unchanged under the agent");
        System.out.println("  agent      " + s.agentJar());
        System.out.println("  state dir  " + s.stateDir() + "  (ports are per host: every fleet on it shares this)");
        System.out.println("  store      " + s.store() + registryLatency());
        System.out.println("  logs       " + s.runDir() + "  (kept if anything goes wrong)");

        step(1, "An unrelated process takes " + SQUATTED_PORT + " (emotion's hardcoded port)");
        Optional<Fleet.Started> holder = fleet.holdPort(SQUATTED_PORT);
        if (holder.isPresent()) {
            System.out.println("      python3 -m http.server " + SQUATTED_PORT + "  pid " + holder.get().process().pid());
        } else {
            System.out.println("      " + SQUATTED_PORT + " is already taken (" + describeHolder(SQUATTED_PORT)
                    + "); that process plays the part");
        }

        step(2, "Starting " + Member.FLEET.size() + " services: JVMs with -javaagent:portmanager-agent.jar=service=NAME,type=TYPE,...;"
                + " python3 through `portmanager run`; the gateway also with routes=" + Member.GATEWAY_ROUTES);
        List<Fleet.Started> members = startAll();

        step(3, "Where each service landed (PortManager's allocations; KERNEL = /proc/net/tcp shows that pid listening there)");
        printPlacements(members);

        step(4, "Calling every service through the gateway, which dials each one at its hardcoded http://localhost:PORT"
                + " (the gateway's agent redirects connects to services that moved)");
        callThroughGateway(members);

        step(5, "Utilization and conflicts (portmanager utilization; portmanager conflicts)");
        cli("utilization");
        cli("conflicts");
    }

    /**
     * With Redis, the first lookups wait while the registry connects: pay that once here, and say how long it
     * took, so that the start-up times printed next are the services' own.
     */
    private String registryLatency() {
        if (!pm.config().usesRedis()) {
            return "";
        }
        long t0 = System.nanoTime();
        pm.lookup("go-api-gateway");
        pm.lookup("go-api-gateway");
        return String.format("  (first lookups took %.1f s)", (System.nanoTime() - t0) / 1e9);
    }

    private List<Fleet.Started> startAll() throws IOException, InterruptedException {
        return fleet.startAll(pm, START_TIMEOUT, (s, e, seconds) -> System.out.printf(
                "      %-19s %-32s pid %-7d listening on %d  (%.1f s)%n", s.member().name(), s.member().stack(),
                e.pid(), e.port(), seconds));
    }

    private void printPlacements(List<Fleet.Started> members) {
        List<Allocation> all = pm.allocations();
        TextTable table = new TextTable("SERVICE", "STACK", "TYPE", "ASKED", "GOT", "PID", "KERNEL", "WHY");
        for (Fleet.Started s : members) {
            Optional<Placement> p = Placement.of(s, all, fleet);
            if (p.isEmpty()) {
                table.row(s.member().name(), s.member().stack(), s.member().type(), "?", "?", s.process().pid(), "-",
                        "no live allocation (see " + s.log() + ")");
                continue;
            }
            Allocation a = p.get().allocation();
            table.row(s.member().name(), s.member().stack(), a.type(), a.requestedPort(), a.port(), a.pid(),
                    p.get().kernelAgrees() ? "ok" : "NOT LISTENING", p.get().why());
        }
        System.out.print(table.render("  "));
        // The agent's own account, one line per moved port, as each service's stderr got it.
        List<String> said = new ArrayList<>();
        for (Fleet.Started s : members) {
            Logs.lines(s.log()).stream().filter(l -> l.startsWith("[portmanager]")).forEach(said::add);
        }
        if (!said.isEmpty()) {
            System.out.println("    what the agent logged:");
            said.forEach(l -> System.out.println("      " + l));
        }
    }

    private void callThroughGateway(List<Fleet.Started> members) {
        Fleet.Started gw = members.stream().filter(s -> s.member().name().equals("go-api-gateway")).findFirst()
                .orElseThrow();
        Endpoint gateway = pm.lookup("go-api-gateway").stream().filter(e -> gw.pids().contains(e.pid())).findFirst()
                .orElseThrow(() -> new IllegalStateException("the gateway is not listed any more"));
        System.out.println("      gateway: go-api-gateway at " + gateway.authority() + "  (agent routes: "
                + gw.member().routes() + ")");
        for (Map.Entry<String, Backend> route : GoApiGateway.ROUTES.entrySet()) {
            long t0 = System.nanoTime();
            Probe.Response r = Probe.get("http://" + gateway.authority() + route.getKey());
            long millis = (System.nanoTime() - t0) / 1_000_000;
            String note = "";
            Matcher m = ANSWER.matcher(r.body());
            if (r.status() == 200 && m.find()) {
                // Another fleet on this host (a second checkout's demo, say) may hold a port this one's services
                // asked for; a connect that goes ahead as asked reaches it, whatever its name. Only an answer from
                // this fleet's wrong service is a wrong route.
                if (!fleet.owns(Long.parseLong(m.group(2)))) {
                    note = "   [" + m.group(1) + " of another fleet on this host]";
                } else if (!m.group(1).equals(route.getValue().service())) {
                    note = "   !! answered by " + m.group(1) + ", not " + route.getValue().service();
                }
            }
            System.out.printf("      GET %-8s %s %s%s  (%d ms)%n", route.getKey(), r.status() == 200 ? "->" : "!! " + r.status(),
                    r.body().replace("go-api-gateway -> ", ""), note, millis);
        }
        // The gateway's agent says once per distinct redirect where a hardcoded connect went instead (and once
        // about a connect it could not decide, or a route it could not use).
        List<String> redirects = Logs.lines(gw.log()).stream()
                .filter(l -> l.startsWith("[portmanager]") && (l.contains(": connect ") || l.contains(": route ")))
                .toList();
        System.out.println("    what the gateway's agent logged:");
        if (redirects.isEmpty()) {
            System.out.println("      (no redirect: every connect went where it was dialed)");
        }
        redirects.forEach(l -> System.out.println("      " + l));
    }

    /** Runs the sidecar's CLI on the same state and store, and shows what it prints. */
    private void cli(String... args) throws IOException, InterruptedException {
        Settings s = fleet.settings();
        List<String> cmd = new ArrayList<>(List.of(Settings.java(), "-jar", s.sidecarJar().toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        s.applyTo(pb.environment());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes()).stripTrailing();
        p.waitFor();
        System.out.println("    $ portmanager " + String.join(" ", args));
        System.out.println(out.isEmpty() ? "      (nothing)" : "      " + out.replace("\n", "\n      "));
    }

    private String describeHolder(int port) {
        return Kernel.listenersOf(port).stream().findFirst()
                .map(pid -> "pid " + pid + ": " + Kernel.command(pid)).orElse("by a process we cannot see");
    }

    private static void step(int n, String title) {
        System.out.println("\n[" + n + "/5] " + title);
    }

    private static void stopAndReport(Fleet fleet) {
        List<ProcessHandle> stopped = fleet.stop();
        if (stopped.isEmpty()) {
            return;
        }
        long left = stopped.stream().filter(ProcessHandle::isAlive).count();
        System.out.println("\nStopped the " + stopped.size() + " processes this demo started"
                + (left == 0 ? "; none is left running." : "; " + left + " would not stop: " + stopped));
    }

    private static void deleteRunDir(Path runDir) {
        try (var files = Files.walk(runDir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a leftover temp directory is harmless
        }
    }

    private static void printKeep(Fleet fleet) throws IOException {
        Settings s = fleet.settings();
        Path pids = fleet.writePidFile();
        // Only what differs from the defaults the CLI would use anyway.
        String env = (s.stateDir().equals(PortManagerConfig.defaultStateDir().toAbsolutePath()) ? ""
                : "PORTMANAGER_STATE_DIR=" + s.stateDir() + " ")
                + (s.store().equals(PortManagerConfig.EMBEDDED_STORE) ? "" : "PORTMANAGER_STORE=" + s.store() + " ");
        String cli = env + fromHere(s.home().resolve("src/bin/portmanager"));
        System.out.println("\nThe fleet keeps running (--keep); its pids are in " + pids + ". Explore it:");
        System.out.println("  " + cli + " services");
        System.out.println("  " + cli + " lookup emotion");
        System.out.println("Stop it, and only it, with:");
        System.out.println("  " + fromHere(s.home().resolve("samples/demo.sh")) + " --stop " + s.runDir());
    }

    /** A path as the user can type it from the current directory. */
    private static String fromHere(Path p) {
        Path cwd = Path.of("").toAbsolutePath();
        return p.startsWith(cwd) ? cwd.relativize(p).toString() : p.toString();
    }
}
