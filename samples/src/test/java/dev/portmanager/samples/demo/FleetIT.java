package dev.portmanager.samples.demo;

import dev.portmanager.Endpoint;
import dev.portmanager.PortManager;
import dev.portmanager.config.PortManagerConfig;
import dev.portmanager.samples.fleet.GoApiGateway;
import dev.portmanager.testing.RedisServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
    private static final Pattern ANSWER = Pattern.compile("^(\\S+) \\(.*\\) listening on port (\\d+), pid (\\d+)$");

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
        Settings settings = new Settings(HOME, tmp.resolve("state"), store, Files.createDirectories(tmp.resolve("run")));
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

            String gateway = "http://" + where.get("go-api-gateway").authority();
            Path gatewayLog = members.get(members.size() - 1).log();
            for (Map.Entry<String, String> route : GoApiGateway.ROUTES.entrySet()) {
                String service = route.getValue();
                Probe.Response r = Probe.get(gateway + route.getKey());
                assertEquals(200, r.status(), () -> route.getKey() + ": " + r.body() + "\ngateway log:\n" + Logs.tail(gatewayLog));
                String answer = r.body().substring(r.body().indexOf(": ") + 2);
                Matcher m = ANSWER.matcher(answer);
                assertTrue(m.matches(), route.getKey() + " answered " + r.body());
                assertEquals(service, m.group(1), route.getKey());
                // The service reports the port its socket really has: the one discovery gave the gateway.
                assertEquals(where.get(service).port(), Integer.parseInt(m.group(2)), r.body());
                assertTrue(fleet.owns(Long.parseLong(m.group(3))), "answered by a process not of this fleet: " + r.body());
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
