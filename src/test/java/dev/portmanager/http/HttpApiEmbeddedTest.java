package dev.portmanager.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.portmanager.cli.ChildProcess;
import dev.portmanager.cli.Launcher;
import dev.portmanager.cli.Sidecar;
import dev.portmanager.testing.PythonHttpServer;
import dev.portmanager.testing.TestConfigs;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The HTTP API on the embedded store, plus what only needs one store: exhaustion, tokens, exposure. */
class HttpApiEmbeddedTest extends HttpApiContract {

    @Override
    List<String> storeArgs() {
        return List.of();
    }

    @Test
    void exhaustedRangeIs409NamingIt() throws Exception {
        int first = TestConfigs.freeBlock(2);
        Path config = dir.resolve("tiny.yaml");
        Files.writeString(config, String.join("\n",
                "ranges:",
                "  tiny: { start: " + first + ", end: " + first + ", priority: 3 }",
                "  dynamic: { start: " + (first + 1) + ", end: " + (first + 1) + ", priority: 4 }", ""));
        try (Sidecar small = Sidecar.start(new Launcher(dir.resolve("small")), List.of("--config", config.toString()),
                List.of())) {
            String body = "{\"service\":\"t\",\"type\":\"tiny\"}";
            assertEquals(first, Http.post(small.uri(PM + "/allocate"), body).json().get("port").asInt());
            assertEquals(first + 1, Http.post(small.uri(PM + "/allocate"),
                    "{\"service\":\"u\",\"type\":\"tiny\"}").json().get("port").asInt());
            Http.Reply full = Http.post(small.uri(PM + "/allocate"), "{\"service\":\"v\",\"type\":\"tiny\"}");
            assertError(full, 409);
            assertTrue(full.json().get("detail").asText().contains("tiny"), full.toString());
        }
    }

    @Test
    void aTokenGuardsEveryMutatingRequest() throws Exception {
        String token = "0123456789abcdef-test-token";
        Launcher guarded = new Launcher(dir.resolve("guarded")).env("PORTMANAGER_TOKEN", token);
        try (Sidecar s = Sidecar.start(guarded, List.of(), List.of())) {
            String body = "{\"service\":\"sec\",\"type\":\"testing\"}";
            assertError(Http.post(s.uri(PM + "/allocate"), body), 401);
            assertError(Http.send("POST", s.uri(PM + "/allocate"), body, "application/json",
                    "Authorization", "Bearer wrong-token-wrong-token"), 401);
            assertEquals(200, Http.get(s.uri(PM + "/allocations")).status(), "reading needs no token");
            Http.Reply ok = Http.send("POST", s.uri(PM + "/allocate"), body, "application/json",
                    "Authorization", "Bearer " + token);
            assertEquals(201, ok.status(), ok.toString());
            int port = ok.json().get("port").asInt();
            assertError(Http.delete(s.uri(PM + "/release/" + port)), 401);
            assertError(Http.post(s.uri(DISCOVERY + "/services/refresh"), null), 401);
            assertEquals(200, Http.send("DELETE", s.uri(PM + "/release/" + port), null, "application/json",
                    "Authorization", "Bearer " + token).status());
        }
    }

    @Test
    void refusesAnExposedAddressWithoutAToken() throws Exception {
        Launcher l = new Launcher(dir.resolve("exposed"));
        try (ChildProcess c = new ChildProcess(l.builder(List.of("serve", "--bind", "0.0.0.0", "--port", "0")))) {
            assertEquals(2, c.awaitExit(30_000), c.output());
            awaitOutput(c, "without a token");
        }
        try (ChildProcess c = new ChildProcess(new Launcher(dir.resolve("short")).env("PORTMANAGER_TOKEN", "short")
                .builder(List.of("serve", "--bind", "0.0.0.0", "--port", "0")))) {
            assertEquals(2, c.awaitExit(30_000), c.output());
            awaitOutput(c, "too short");
        }
    }

    @Test
    void exposedWithATokenGuardsReadsToo() throws Exception {
        String token = "0123456789abcdef-exposed";
        Launcher l = new Launcher(dir.resolve("exposed-ok")).env("PORTMANAGER_TOKEN", token);
        try (Sidecar s = Sidecar.start(l, List.of(), List.of("--bind", "0.0.0.0"))) {
            String base = "http://127.0.0.1:" + s.url().getPort();
            for (String path : List.of("/health", PM + "/allocations", PM + "/conflicts", DISCOVERY + "/services",
                    DISCOVERY + "/services/go-api-gateway/health")) {
                assertError(Http.get(java.net.URI.create(base + path)), 401);
            }
            Http.Reply ok = Http.send("GET", java.net.URI.create(base + "/health"), null, null,
                    "Authorization", "Bearer " + token);
            assertEquals(200, ok.status(), ok.toString());
            assertEquals("UP", ok.json().get("status").asText());
            // The CLI sends the token on reads as well.
            Launcher.Result list = l.run("--url", base, "allocations");
            assertEquals(0, list.exit(), list.toString());
        }
    }

    @Test
    void aKilledInstanceIsDownAtOnceAndGoneAfterItsLease() throws Exception {
        Path config = dir.resolve("short-lease.yaml");
        // Long enough that the checks between the kill and the lease's end fit in it on a busy machine (at 3 s
        // they sometimes did not), short enough to wait out.
        Launcher l = new Launcher(dir.resolve("killed"));
        Files.writeString(config, l.rangesYaml() + "lease: 8s\n");
        List<String> global = List.of("--config", config.toString());
        try (Sidecar s = Sidecar.start(l, global, List.of());
             ChildProcess run = pythonServer(l, config, "victim")) {
            long end = System.currentTimeMillis() + 30_000;
            while (!"UP".equals(healthOf(s, "victim")) && System.currentTimeMillis() < end) {
                Thread.sleep(100);
            }
            assertEquals("UP", healthOf(s, "victim"));
            // kill -9 of the launcher and then of the service: nobody withdraws the registration.
            List<ProcessHandle> service = run.process().descendants().toList();
            assertTrue(run.process().destroyForcibly().waitFor(30, java.util.concurrent.TimeUnit.SECONDS));
            service.forEach(ProcessHandle::destroyForcibly);
            for (ProcessHandle h : service) {
                h.onExit().get(30, java.util.concurrent.TimeUnit.SECONDS);
            }
            assertEquals("DOWN", healthOf(s, "victim"), "DOWN at once");
            awaitOwnerGone(s, "victim");
            // lookup (discovery proper) no longer offers it; through the sidecar neither.
            Launcher.Result lookup = l.run("--url", s.url().toString(), "lookup", "victim");
            assertEquals(1, lookup.exit(), lookup.toString());
            // Its lease (8 s) ends it: polled, since how soon after the lease it goes is not the point.
            long leaseEnds = System.currentTimeMillis() + 60_000;
            Http.Reply gone = Http.get(s.uri(DISCOVERY + "/services/victim/health"));
            while (gone.status() != 404 && System.currentTimeMillis() < leaseEnds) {
                Thread.sleep(100);
                gone = Http.get(s.uri(DISCOVERY + "/services/victim/health"));
            }
            assertEquals(404, gone.status(), "gone after its lease: " + gone);
        }
    }

    /**
     * A service whose advertised name does not resolve (a DNS outage) fails its check but keeps its port, since
     * its process runs here; one whose processes were killed is withdrawn.
     */
    @Test
    void refreshReleasesOnlyWhatNoLiveProcessOwns() throws Exception {
        Path config = dir.resolve("unresolvable.yaml");
        Launcher l = new Launcher(dir.resolve("refresh"));
        Files.writeString(config, l.rangesYaml() + "advertise: no-such-host.invalid\n");
        List<String> global = List.of("--config", config.toString());
        try (Sidecar s = Sidecar.start(l, global, List.of());
             ChildProcess alive = pythonServer(l, config, "unresolvable");
             ChildProcess killed = pythonServer(l, config, "killed")) {
            int alivePort = awaitListed(s, "unresolvable");
            awaitListed(s, "killed");
            List<ProcessHandle> tree = killed.process().descendants().toList();
            killed.process().destroyForcibly();
            killed.awaitExit(30_000);
            tree.forEach(ProcessHandle::destroyForcibly);
            for (ProcessHandle h : tree) {
                h.onExit().get(30, TimeUnit.SECONDS); // SIGKILL: a bound on a hang, not on speed
            }
            awaitOwnerGone(s, "killed"); // what refresh goes by, once the liveness cache has caught up

            Http.Reply refreshed = Http.post(s.uri(DISCOVERY + "/services/refresh"), null);
            assertEquals(200, refreshed.status(), refreshed.toString());
            JsonNode dropped = refreshed.json().get("dropped");
            assertEquals(1, dropped.size(), refreshed.toString());
            assertEquals("killed", dropped.get(0).get("service").asText());
            JsonNode unhealthy = refreshed.json().get("unhealthy");
            assertEquals(1, unhealthy.size(), refreshed.toString());
            assertEquals("unresolvable", unhealthy.get(0).get("service").asText());

            JsonNode still = Http.get(s.uri(DISCOVERY + "/services/unresolvable")).json().get("instances").get(0);
            assertEquals(alivePort, still.get("port").asInt(), "a live owner keeps its port");
            assertEquals(404, Http.get(s.uri(DISCOVERY + "/services/killed")).status());
        }
    }

    /**
     * Waits until {@code name}'s first instance is listed with {@code ownerGone}: owner liveness answers are cached
     * for 200 ms (Owner.LIVENESS_CACHE_NANOS), so a kill shows a moment later. The deadline bounds a hang only.
     */
    private static void awaitOwnerGone(Sidecar s, String name) throws InterruptedException {
        JsonNode listed = Http.get(s.uri(DISCOVERY + "/services/" + name)).json().get("instances").get(0);
        long noticed = System.currentTimeMillis() + 30_000;
        while (!listed.get("ownerGone").asBoolean() && System.currentTimeMillis() < noticed) {
            Thread.sleep(100);
            listed = Http.get(s.uri(DISCOVERY + "/services/" + name)).json().get("instances").get(0);
        }
        assertTrue(listed.get("ownerGone").asBoolean(), listed.toString());
    }

    /** Waits until {@code name} has a listed instance (UP or DOWN); returns its port. */
    /** {@code portmanager --config CONFIG run --service SERVICE -- python3 -m http.server}, on loopback. */
    private ChildProcess pythonServer(Launcher l, Path config, String service) {
        List<String> args = new ArrayList<>(List.of("--config", config.toString(), "run", "--service", service,
                "--type", "testing", "--"));
        args.addAll(PythonHttpServer.command("{port}", dir));
        return new ChildProcess(l.builder(args));
    }

    private static int awaitListed(Sidecar s, String name) throws InterruptedException {
        long end = System.currentTimeMillis() + 30_000;
        Http.Reply r = null;
        while (System.currentTimeMillis() < end) {
            r = Http.get(s.uri(DISCOVERY + "/services/" + name));
            if (r.status() == 200 && r.json().get("instances").size() > 0) {
                return r.json().get("instances").get(0).get("port").asInt();
            }
            Thread.sleep(100);
        }
        throw new AssertionError(name + " never listed: " + r);
    }

    /** The output pump may lag behind the exit: wait for the text a little. */
    private static void awaitOutput(ChildProcess c, String text) throws InterruptedException {
        long end = System.currentTimeMillis() + 10_000;
        while (!c.output().contains(text) && System.currentTimeMillis() < end) {
            Thread.sleep(50);
        }
        assertTrue(c.output().contains(text), c.output());
    }

    private static String healthOf(Sidecar s, String name) {
        Http.Reply r = Http.get(s.uri(DISCOVERY + "/services/" + name + "/health"));
        return r.status() == 200 ? r.json().get("status").asText() : String.valueOf(r.status());
    }
}
