package dev.portmanager.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.portmanager.cli.ChildProcess;
import dev.portmanager.cli.Launcher;
import dev.portmanager.cli.Sidecar;
import dev.portmanager.config.PortManagerConfig;
import dev.portmanager.config.PortRange;
import dev.portmanager.testing.DeafListener;
import dev.portmanager.testing.HeldRanges;
import dev.portmanager.testing.PythonHttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The HTTP API over real HTTP against a real {@code portmanager serve} child, run once per store (subclasses
 * name the store). Services are real processes started by {@code portmanager run}.
 */
abstract class HttpApiContract {
    static final String PM = "/api/v1/port-management";
    static final String DISCOVERY = "/api/v1/discovery";

    @TempDir
    Path dir;
    Launcher launcher;
    Sidecar sidecar;
    final List<ChildProcess> children = new ArrayList<>();

    /** Global options naming the store (e.g. {@code --store redis://...}); the state dir is set by Launcher. */
    abstract List<String> storeArgs();

    @BeforeEach
    void startSidecar() throws Exception {
        launcher = new Launcher(dir);
        sidecar = Sidecar.start(launcher, storeArgs(), List.of());
    }

    @AfterEach
    void stopAll() {
        children.forEach(ChildProcess::close);
        if (sidecar != null) {
            sidecar.close();
        }
    }

    URI at(String path) {
        return sidecar.uri(path);
    }

    /** {@code portmanager run} with this test's store, as a child killed after the test. */
    ChildProcess run(String service, String... command) {
        List<String> args = new ArrayList<>(storeArgs());
        args.addAll(List.of("run", "--service", service, "--type", "testing", "--"));
        args.addAll(List.of(command));
        ChildProcess c = new ChildProcess(launcher.builder(args));
        children.add(c);
        return c;
    }

    /** Polls GET /services/{name} until an instance reports {@code health}. */
    JsonNode awaitInstance(String name, String health) throws InterruptedException {
        long end = System.currentTimeMillis() + 120_000;
        Http.Reply last = null;
        while (System.currentTimeMillis() < end) {
            last = Http.get(at(DISCOVERY + "/services/" + name));
            if (last.status() == 200) {
                for (JsonNode i : last.json().get("instances")) {
                    if (health.equals(i.get("health").asText())) {
                        return i;
                    }
                }
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no " + health + " instance of " + name + "; last answer " + last + childOutputs());
    }

    void awaitGone(String name) throws InterruptedException {
        long end = System.currentTimeMillis() + 120_000;
        Http.Reply last = null;
        while (System.currentTimeMillis() < end) {
            last = Http.get(at(DISCOVERY + "/services/" + name));
            if (last.status() == 404) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError(name + " still discoverable: " + last + childOutputs());
    }

    /** What the services this test started said, for failure messages. */
    String childOutputs() {
        StringBuilder sb = new StringBuilder();
        for (ChildProcess c : children) {
            sb.append("\n--- ").append(c.process().info().commandLine().orElse("child")).append(" (")
                    .append(c.process().isAlive() ? "running" : "exited " + c.process().exitValue()).append(")\n")
                    .append(c.output());
        }
        return sb.toString();
    }

    static void assertError(Http.Reply r, int status) {
        assertEquals(status, r.status(), r.toString());
        JsonNode j = r.json();
        assertTrue(j.hasNonNull("error") && j.hasNonNull("detail"), r.toString());
    }

    @Test
    void sidecarHealthAndViews() {
        Http.Reply h = Http.get(at("/health"));
        assertEquals(200, h.status(), h.toString());
        assertEquals("UP", h.json().get("status").asText());
        assertEquals(List.of(), allocatedPorts(), "a fresh store holds nothing");
        JsonNode util = Http.get(at(PM + "/utilization")).json();
        List<String> types = new ArrayList<>();
        for (JsonNode range : util) {
            types.add(range.get("type").asText());
            assertEquals(0, range.get("allocated").asInt(), range.toString());
        }
        assertEquals(List.copyOf(PortManagerConfig.defaults().ranges().keySet()), types);
        Http.Reply services = Http.get(at(DISCOVERY + "/services"));
        assertEquals(200, services.status(), services.toString());
        assertEquals(0, services.json().size(), "nothing is registered: " + services);
    }

    /**
     * Conflicts on ranges only this test can occupy (on the default ones, whatever else runs on the host shows up):
     * none, then exactly the squatter this test adds, with its pid. Utilization on the same ranges is exact too.
     */
    @Test
    void conflictsAndUtilizationOnRangesOnlyThisTestCanOccupy() throws Exception {
        try (HeldRanges squatted = new HeldRanges(Set.of("ml"));
             Sidecar quiet = Sidecar.start(new Launcher(dir.resolve("quiet")), configArgs(
                     squatted.writeConfig(dir.resolve("squatted.yaml"))), List.of())) {
            Http.Reply conflicts = Http.get(quiet.uri(PM + "/conflicts"));
            assertEquals(200, conflicts.status(), conflicts.toString());
            assertEquals(1, conflicts.json().size(), conflicts.toString());
            JsonNode c = conflicts.json().get(0);
            assertEquals("SQUATTER", c.get("kind").asText(), c.toString());
            assertEquals(squatted.port("ml"), c.get("port").asInt(), c.toString());
            assertEquals(ProcessHandle.current().pid(), c.get("pid").asLong(), c.toString());
            for (JsonNode range : Http.get(quiet.uri(PM + "/utilization")).json()) {
                boolean ml = range.get("type").asText().equals("ml");
                assertEquals(1, range.get("size").asInt(), range.toString());
                assertEquals(ml ? 1 : 0, range.get("unmanaged").asInt(), range.toString());
                assertEquals(ml ? 0 : 1, range.get("free").asInt(), range.toString());
            }
        }
        try (HeldRanges quiet = new HeldRanges(Set.of());
             Sidecar none = Sidecar.start(new Launcher(dir.resolve("none")), configArgs(
                     quiet.writeConfig(dir.resolve("quiet.yaml"))), List.of())) {
            Http.Reply conflicts = Http.get(none.uri(PM + "/conflicts"));
            assertEquals(200, conflicts.status(), conflicts.toString());
            assertEquals(0, conflicts.json().size(), conflicts.toString());
        }
    }

    /** This test's store plus a config file. */
    List<String> configArgs(Path config) {
        List<String> args = new ArrayList<>(storeArgs());
        args.addAll(List.of("--config", config.toString()));
        return args;
    }

    @Test
    void allocateListReleaseOverHttp() {
        Http.Reply created = Http.post(at(PM + "/allocate"), "{\"service\":\"alpha\",\"type\":\"testing\"}");
        assertEquals(201, created.status(), created.toString());
        JsonNode a = created.json();
        int port = a.get("port").asInt();
        assertTrue(launcher.ranges().contains("testing", port), a.toString());
        assertEquals("RESERVED", a.get("state").asText());
        assertEquals(0, a.get("pid").asLong(), "an API allocation is a reservation without an owner");

        assertTrue(allocatedPorts().contains(port));

        Http.Reply released = Http.delete(at(PM + "/release/" + port));
        assertEquals(200, released.status(), released.toString());
        assertEquals("alpha", released.json().get("service").asText());
        assertFalse(allocatedPorts().contains(port));
        assertError(Http.delete(at(PM + "/release/" + port)), 404);
    }

    @Test
    void preferredPortIsGrantedWhenFree() {
        // Free when picked; on this shared machine another process may bind it before the sidecar looks. Then
        // (and only then: the port is taken by now) the pick is made again.
        PortRange testing = launcher.ranges().of("testing");
        int wanted = Ports.freeIn(testing.start() + 5, testing.end());
        Http.Reply r = Http.post(at(PM + "/allocate"),
                "{\"service\":\"beta\",\"type\":\"testing\",\"preferredPort\":" + wanted + ",\"ttl\":\"5m\"}");
        for (int retry = 0; retry < 3 && r.status() == 201 && r.json().get("port").asInt() != wanted
                && !Ports.isFree(wanted); retry++) {
            assertEquals(200, Http.delete(at(PM + "/release/" + r.json().get("port").asInt())).status());
            wanted = Ports.freeIn(wanted + 1, testing.end());
            r = Http.post(at(PM + "/allocate"), "{\"service\":\"beta\",\"type\":\"testing\",\"preferredPort\":"
                    + wanted + ",\"ttl\":\"5m\"}");
        }
        assertEquals(201, r.status(), r.toString());
        assertEquals(wanted, r.json().get("port").asInt(), r.toString());
        long lease = r.json().get("leaseMillis").asLong();
        assertEquals(300_000, lease, r.toString());
    }

    @Test
    void badAllocationsAre400WithAReason() {
        assertError(Http.post(at(PM + "/allocate"), "{\"service\":\"gamma\",\"type\":\"no-such-type\"}"), 400);
        assertError(Http.post(at(PM + "/allocate"), "{\"type\":\"testing\"}"), 400);
        assertError(Http.post(at(PM + "/allocate"), "{\"service\":\"has space\"}"), 400);
        assertError(Http.post(at(PM + "/allocate"), "{\"service\":\"x\",\"preferredPort\":0}"), 400);
        assertError(Http.post(at(PM + "/allocate"), "{\"service\":\"x\",\"preferredPort\":65536}"), 400);
        assertError(Http.post(at(PM + "/allocate"), "{\"service\":\"x\",\"ttl\":\"forever\"}"), 400);
        Http.Reply typo = Http.post(at(PM + "/allocate"), "{\"service\":\"x\",\"prefered\":8080}");
        assertError(typo, 400);
        assertTrue(typo.json().get("detail").asText().contains("prefered"), typo.toString());
        assertEquals(List.of(), allocatedPorts());
    }

    @Test
    void unknownAndConfiguredServices() {
        assertError(Http.get(at(DISCOVERY + "/services/nosuch")), 404);
        assertError(Http.get(at(DISCOVERY + "/services/nosuch/health")), 404);
        // A configured (known) service with nothing running is known but DOWN.
        Http.Reply known = Http.get(at(DISCOVERY + "/services/go-api-gateway"));
        assertEquals(200, known.status(), known.toString());
        assertEquals(0, known.json().get("instances").size());
        Http.Reply health = Http.get(at(DISCOVERY + "/services/go-api-gateway/health"));
        assertEquals(200, health.status(), health.toString());
        assertEquals("DOWN", health.json().get("status").asText());
    }

    @Test
    void aRunServiceIsDiscoveredCheckedAndGoneWhenItStops() throws Exception {
        ChildProcess web = run("web", PythonHttpServer.command("{port}", dir).toArray(String[]::new));
        JsonNode instance = awaitInstance("web", "UP");
        int port = instance.get("port").asInt();
        assertTrue(launcher.ranges().contains("testing", port), instance.toString());
        assertTrue(instance.get("pid").asLong() > 0);

        Http.Reply health = Http.get(at(DISCOVERY + "/services/web/health"));
        assertEquals(200, health.status(), health.toString());
        assertEquals("UP", health.json().get("status").asText());
        JsonNode check = health.json().get("instances").get(0);
        assertEquals(port, check.get("port").asInt());
        assertTrue(check.get("latencyMillis").asDouble() >= 0);

        boolean listed = false;
        for (JsonNode s : Http.get(at(DISCOVERY + "/services")).json()) {
            listed |= s.get("name").asText().equals("web");
        }
        assertTrue(listed);

        web.terminate();
        web.awaitExit(15_000);
        awaitGone("web");
        assertFalse(allocatedPorts().contains(port));
    }

    @Test
    void refreshNeverTakesAPortFromALiveProcess() throws Exception {
        DeafListener deaf = new DeafListener(dir);
        run("deaf", deaf.command().toArray(String[]::new));
        int port = awaitInstance("deaf", "UP").get("port").asInt();
        deaf.stopListening();
        awaitInstance("deaf", "DOWN");

        Http.Reply refreshed = Http.post(at(DISCOVERY + "/services/refresh"), null);
        assertEquals(200, refreshed.status(), refreshed.toString());
        assertEquals(0, refreshed.json().get("dropped").size(), refreshed.toString());
        JsonNode unhealthy = refreshed.json().get("unhealthy");
        assertEquals(1, unhealthy.size(), refreshed.toString());
        assertEquals("deaf", unhealthy.get(0).get("service").asText());
        assertEquals("DOWN", unhealthy.get(0).get("health").asText());
        // Reported, not released: its process still runs, so it keeps its port and its entry.
        assertEquals(port, awaitInstance("deaf", "DOWN").get("port").asInt());
        assertTrue(allocatedPorts().contains(port));
    }

    /**
     * A DNS outage: the service advertises a name that does not resolve, so every check of it fails, yet its
     * process runs here and listens: refresh reports it, and it keeps its port.
     */
    @Test
    void refreshKeepsALiveServiceWhoseNameDoesNotResolve() throws Exception {
        List<String> args = new ArrayList<>(storeArgs());
        args.addAll(List.of("run", "--service", "unresolved", "--type", "testing", "--", "python3", "-m",
                "http.server", "{port}", "--bind", "127.0.0.1", "--directory", dir.toString()));
        ProcessBuilder pb = launcher.builder(args);
        pb.environment().put("PORTMANAGER_ADVERTISE", "no-such-host.invalid"); // RFC 6761: never resolves
        ChildProcess c = new ChildProcess(pb);
        children.add(c);
        JsonNode down = awaitInstance("unresolved", "DOWN");
        assertEquals("no-such-host.invalid", down.get("address").asText(), down.toString());
        int port = down.get("port").asInt();

        Http.Reply refreshed = Http.post(at(DISCOVERY + "/services/refresh"), null);
        assertEquals(200, refreshed.status(), refreshed.toString());
        assertEquals(0, refreshed.json().get("dropped").size(), refreshed.toString());
        List<String> unhealthy = new ArrayList<>();
        refreshed.json().get("unhealthy").forEach(i -> unhealthy.add(i.get("service").asText()));
        assertTrue(unhealthy.contains("unresolved"), refreshed.toString());
        assertTrue(allocatedPorts().contains(port), "its port is kept");
        assertEquals(port, awaitInstance("unresolved", "DOWN").get("port").asInt());
    }

    List<Integer> allocatedPorts() {
        List<Integer> ports = new ArrayList<>();
        Http.Reply r = Http.get(at(PM + "/allocations"));
        assertEquals(200, r.status(), r.toString());
        for (JsonNode a : r.json()) {
            assertNotNull(a.get("port"));
            ports.add(a.get("port").asInt());
        }
        return ports;
    }
}
