package dev.portmanager.samples.demo;

import dev.portmanager.Endpoint;
import dev.portmanager.PortManager;
import dev.portmanager.config.PortManagerConfig;
import dev.portmanager.discovery.DiscoveryClient;
import dev.portmanager.samples.discovery.CallByName;
import dev.portmanager.samples.fleet.GoApiGateway;
import dev.portmanager.samples.fleet.gateway.Backend;
import dev.portmanager.testing.RedisServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The whole fleet, as the demo runs it: real JVMs under the built agent jar, python3 under the built sidecar's
 * `run`, an unrelated process squatting on 8088. Each test has its own state directory, so it meets only its own
 * fleet in discovery; ports are still shared with whatever else runs on the host, and the agent moves around them.
 */
class FleetIT {
    static final Path HOME = Path.of(System.getProperty("portmanager.home", "..")).toAbsolutePath().normalize();
    /** What every service answers: its name, its stack, the port its socket really has, its pid. */
    static final Pattern ANSWER = Pattern.compile("^(\\S+) \\(.*\\) listening on port (\\d+), pid (\\d+)$");

    @Test
    void embeddedStore(@TempDir Path tmp) throws Exception {
        runFleet(PortManagerConfig.EMBEDDED_STORE, tmp);
    }

    @Test
    void redisStore(@TempDir Path tmp) throws Exception {
        try (RedisServer redis = RedisServer.launch()) {
            runFleet(redis.uri(), tmp);
        }
    }

    private void runFleet(String store, Path tmp) throws Exception {
        // The members read no config file, like this test's own manager (on the defaults): not the config of
        // whoever runs the build.
        Settings settings = new Settings(HOME, tmp.resolve("state"), store, Files.createDirectories(tmp.resolve("run")),
                Files.createDirectories(tmp.resolve("config")));
        settings.requireBuilt();
        PortManagerConfig config = PortManagerConfig.defaults().withStateDir(settings.stateDir()).withStore(store);
        Fleet fleet = new Fleet(settings);
        Set<ProcessHandle> seen = new HashSet<>();
        try (PortManager pm = PortManager.open(config)) {
            fleet.holdPort(Demo.SQUATTED_PORT);
            List<Fleet.Started> members = fleet.startAll(pm, Duration.ofSeconds(90), (s, e, t) -> { });
            seen.addAll(handles(fleet));

            Map<String, Endpoint> where = new HashMap<>();
            for (Fleet.Started s : members) {
                Endpoint e = fleet.awaitListening(s, pm, Duration.ofSeconds(5));
                where.put(s.member().name(), e);
                assertTrue(s.pids().stream().anyMatch(Kernel.listenersOf(e.port())::contains),
                        s.member().name() + " is registered on " + e.port() + " but the kernel shows none of "
                                + s.pids() + " listening there: " + Kernel.listeners());
            }

            // The design's open clash: both hardcode 8085; they must have ended up apart.
            assertNotEquals(where.get("hrm-mlx-service").port(), where.get("voice").port());
            // 8088 is held by a process PortManager does not manage (ours, or whatever already had it).
            assertNotEquals(Demo.SQUATTED_PORT, where.get("emotion").port());

            Fleet.Started gatewayMember = members.get(members.size() - 1);
            checkLegacyGateway(fleet, where, gatewayMember);

            // The migrated way, for code that can change: find emotion by name, wherever it went.
            try (DiscoveryClient discovery = DiscoveryClient.create(config)) {
                String answer = CallByName.call(discovery, "emotion");
                Matcher m = ANSWER.matcher(answer);
                assertTrue(m.matches(), answer);
                assertEquals("emotion", m.group(1), answer);
                assertEquals(where.get("emotion").port(), Integer.parseInt(m.group(2)), answer);
            }
            if (store.equals(PortManagerConfig.EMBEDDED_STORE)) {
                ReadmeDiscoveryExample.run(HOME, settings, tmp, where.get("emotion"));
            }
        } finally {
            seen.addAll(handles(fleet));
            fleet.stop();
        }
        assertAllGone(seen);
        // Discovery forgets them: the agent withdraws on exit, `run` when its command exits.
        try (PortManager pm = PortManager.open(config)) {
            for (Member m : Member.FLEET) {
                awaitTrue(() -> pm.lookup(m.name()).isEmpty(), Duration.ofSeconds(20),
                        () -> m.name() + " is still listed after the fleet stopped: " + pm.lookup(m.name()));
            }
        }
    }

    /**
     * The legacy gateway dials every backend at the design's hardcoded {@code http://localhost:PORT}; its agent
     * redirects the connects whose service moved (emotion off the squatted 8088, and whatever else found its port
     * taken), and its one route sends the voice handler's 8085 to voice while the HRM client stays on
     * hrm-mlx-service, which kept 8085. Every route must answer from the right service of this fleet, on the port
     * discovery lists for it, and the gateway's log must show each redirect that took it there.
     */
    private static void checkLegacyGateway(Fleet fleet, Map<String, Endpoint> where, Fleet.Started gateway)
            throws InterruptedException {
        String base = "http://" + where.get("go-api-gateway").authority();
        boolean hrmKept8085 = where.get("hrm-mlx-service").port() == 8085;
        for (Map.Entry<String, Backend> route : GoApiGateway.ROUTES.entrySet()) {
            Backend backend = route.getValue();
            String service = backend.service();
            int dialed = URI.create(backend.url()).getPort();
            Probe.Response r = Probe.get(base + route.getKey());
            if (service.equals("hrm-mlx-service") && !hrmKept8085) {
                // Something outside this fleet held 8085 first, so hrm-mlx-service and voice both moved: nobody
                // kept 8085 and two services asked for it. The default rule cannot choose, and the HRM client's
                // connect goes wherever 8085 is held (another build's fleet, say, whose voice may be called voice
                // too). It must not have been sent into this fleet: this fleet's voice moved off 8085.
                System.out.println("FleetIT: 8085 was taken before the fleet started (" + Kernel.listenersOf(8085)
                        + "), so /hrm reaches its holder: " + r.body());
                int answered = r.body().indexOf("answered: ");
                Matcher holder = ANSWER.matcher(answered < 0 ? "" : r.body().substring(answered + "answered: ".length()));
                assertFalse(holder.matches() && fleet.owns(Long.parseLong(holder.group(3))),
                        "/hrm was sent into this fleet although 8085 is held outside it: " + r.body());
                String said = "[portmanager] go-api-gateway: connect to 127.0.0.1:8085 goes ahead as asked: ";
                assertTrue(Logs.lines(gateway.log()).stream().anyMatch(l -> l.startsWith(said)),
                        "the gateway's agent did not say it cannot choose for 8085:\n" + Logs.tail(gateway.log()));
                continue;
            }
            assertEquals(200, r.status(), () -> route.getKey() + ": " + r.body() + "\ngateway log:\n" + Logs.tail(gateway.log()));
            Matcher m = ANSWER.matcher(r.body().substring(r.body().indexOf("answered: ") + "answered: ".length()));
            assertTrue(m.matches(), route.getKey() + " answered " + r.body());
            assertEquals(service, m.group(1), route.getKey() + ": " + r.body());
            // The service reports the port its socket really has: the one discovery lists for it.
            int port = where.get(service).port();
            assertEquals(port, Integer.parseInt(m.group(2)), r.body());
            assertTrue(fleet.owns(Long.parseLong(m.group(3))), "answered by a process not of this fleet: " + r.body());
            if (port != dialed) {
                String line = "[portmanager] go-api-gateway: connect 127.0.0.1:" + dialed + " -> " + port + " (" + service + ")";
                awaitTrue(() -> Logs.lines(gateway.log()).contains(line), Duration.ofSeconds(5),
                        () -> "the gateway's agent did not log '" + line + "':\n" + Logs.tail(gateway.log()));
            }
        }
        assertNotEquals(8085, where.get("voice").port(), "voice must have moved: hrm-mlx-service started first");
    }

    /** The --keep path: the demo exits, the fleet stays up and answers; `--stop RUN_DIR` then stops all of it. */
    @Test
    void demoKeepThenStop(@TempDir Path tmp) throws Exception {
        DemoProcess demo = DemoProcess.start(HOME, tmp, "--keep");
        Path runDir = null;
        try {
            assertEquals(0, demo.awaitExit(Duration.ofSeconds(150)), demo.output());
            runDir = DemoProcess.runDir(tmp);
            String out = demo.output();
            for (Member m : Member.FLEET) {
                assertTrue(out.lines().anyMatch(l -> l.startsWith("  " + m.name() + " ") && l.contains(" ok ")),
                        m.name() + " has no verified row in the table:\n" + out);
            }
            assertEquals(GoApiGateway.ROUTES.size(), out.lines().filter(l -> l.matches("      GET /\\S+ +-> .*")).count(),
                    "not every route answered through the gateway:\n" + out);
            assertFalse(out.contains(" !! answered by "), "a route answered from the wrong service:\n" + out);
            // The demo shows what the gateway's agent logged: at least emotion's redirect off the squatted 8088.
            assertTrue(out.lines().anyMatch(l -> l.matches("      \\[portmanager] go-api-gateway: connect 127\\.0\\.0\\.1:8088 -> \\d+ \\(emotion\\)")),
                    "the demo does not show the gateway's redirect of 8088 to emotion:\n" + out);
            assertTrue(out.contains("demo.sh --stop " + runDir + "\n"), "no stop command for " + runDir + ":\n" + out);
            List<ProcessHandle> fleet = DemoProcess.pidFile(runDir);
            assertTrue(fleet.size() >= Member.FLEET.size() + 1, "pid file lists " + fleet);
            assertTrue(fleet.stream().allMatch(ProcessHandle::isAlive), "--keep must leave the fleet running");

            DemoProcess stopper = DemoProcess.start(HOME, tmp, "--stop", runDir.toString());
            assertEquals(0, stopper.awaitExit(Duration.ofSeconds(60)), stopper.output());
            assertAllGone(new HashSet<>(fleet));
        } finally {
            // Whatever failed above, do not leave a kept fleet behind.
            if (runDir != null && Files.exists(runDir.resolve("fleet.pids"))) {
                StopCommand.run(runDir);
            }
        }
    }

    /** Ctrl-C while the fleet is still starting: everything started so far, children included, goes. */
    @Test
    void demoInterruptedWhileStarting(@TempDir Path tmp) throws Exception {
        DemoProcess demo = DemoProcess.start(HOME, tmp);
        Set<ProcessHandle> seen = new HashSet<>();
        try {
            interruptWhileStarting(demo, seen);
        } finally {
            seen.forEach(ProcessHandle::destroyForcibly); // no-op when the demo cleaned up, as it must
            demo.process().destroyForcibly();
        }
    }

    private void interruptWhileStarting(DemoProcess demo, Set<ProcessHandle> seen) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        // Interrupt once the first wave is up and the later ones are on their way.
        while (!demo.output().contains("rust-ai-core ") || !demo.output().contains("python-vision ")) {
            demo.process().descendants().forEach(seen::add);
            if (System.nanoTime() > deadline || !demo.process().isAlive()) {
                fail("the fleet did not start:\n" + demo.output());
            }
            Thread.sleep(20);
        }
        demo.process().descendants().forEach(seen::add);
        demo.interrupt();
        assertTrue(demo.awaitExit(Duration.ofSeconds(60)) != Integer.MIN_VALUE, demo.output());
        assertTrue(seen.size() >= 6, "saw only " + seen);
        assertAllGone(seen);
        assertTrue(demo.output().contains("none is left running"), demo.output());
    }

    static Set<ProcessHandle> handles(Fleet fleet) {
        Set<ProcessHandle> all = new HashSet<>();
        for (Fleet.Started s : fleet.started()) {
            all.add(s.process().toHandle());
            s.process().descendants().forEach(all::add);
        }
        return all;
    }

    /** Every process is gone, and the kernel shows none of their pids listening anywhere. */
    static void assertAllGone(Set<ProcessHandle> processes) throws InterruptedException {
        for (ProcessHandle h : processes) {
            awaitTrue(() -> !h.isAlive(), Duration.ofSeconds(15), () -> "still running: " + h.pid() + " "
                    + h.info().commandLine().orElse(""));
        }
        Set<Long> pids = new HashSet<>();
        processes.forEach(h -> pids.add(h.pid()));
        Kernel.listeners().forEach((port, owners) -> owners.forEach(pid ->
                assertFalse(pids.contains(pid), "pid " + pid + " still listens on " + port)));
    }

    static void awaitTrue(java.util.function.BooleanSupplier condition, Duration timeout,
                          java.util.function.Supplier<String> message) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail(message.get());
            }
            Thread.sleep(50);
        }
    }
}
