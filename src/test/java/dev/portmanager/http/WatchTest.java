package dev.portmanager.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.portmanager.Endpoint;
import dev.portmanager.cli.ChildProcess;
import dev.portmanager.cli.Launcher;
import dev.portmanager.cli.Sidecar;
import dev.portmanager.config.PortManagerConfig;
import dev.portmanager.discovery.DiscoveryClient;
import dev.portmanager.discovery.ServiceWatch;
import dev.portmanager.testing.PythonHttpServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Watch: the change index on responses, blocking queries, {@code portmanager watch} and
 * {@code DiscoveryClient.watch}, against a real embedded-store sidecar and real child processes.
 */
class WatchTest {
    static final String PM = "/api/v1/port-management";
    static final String DISCOVERY = "/api/v1/discovery";
    static final String INDEX = "X-PortManager-Index";
    static final HttpClient CLIENT = HttpClient.newBuilder().proxy(HttpClient.Builder.NO_PROXY)
            .connectTimeout(Duration.ofSeconds(5)).build();

    /** One sidecar for the class (start-up is the slow part); each test uses its own service names. */
    @TempDir
    static Path dir;
    static Launcher launcher;
    static Sidecar sidecar;
    final List<ChildProcess> children = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        launcher = new Launcher(dir);
        sidecar = Sidecar.start(launcher, List.of(), List.of());
    }

    @AfterAll
    static void stopSidecar() {
        if (sidecar != null) {
            sidecar.close();
        }
    }

    @AfterEach
    void stop() {
        children.forEach(ChildProcess::close);
    }

    private static CompletableFuture<HttpResponse<String>> getAsync(String path) {
        return CLIENT.sendAsync(HttpRequest.newBuilder(sidecar.uri(path)).timeout(Duration.ofSeconds(90)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> get(String path) throws Exception {
        return getAsync(path).get(60, TimeUnit.SECONDS);
    }

    private static long index(HttpResponse<?> r) {
        String h = r.headers().firstValue(INDEX).orElse(null);
        assertNotNull(h, "no " + INDEX + " on " + r.uri() + ": " + r.headers().map());
        return Long.parseLong(h);
    }

    private ChildProcess child(List<String> args) {
        ChildProcess c = new ChildProcess(launcher.builder(args));
        children.add(c);
        return c;
    }

    @Test
    void blockingQueryHoldsUntilAnAllocationChangesTheIndex() throws Exception {
        HttpResponse<String> first = get(PM + "/allocations");
        long index = index(first);
        assertEquals(index, index(get(DISCOVERY + "/services")), "one index for discovery and allocations");

        long t0 = System.nanoTime();
        HttpResponse<String> unchanged = get(PM + "/allocations?index=" + index + "&wait=1s");
        assertEquals(200, unchanged.statusCode(), unchanged.body());
        assertEquals(index, index(unchanged), "nothing changed: same index after the wait");
        assertTrue(System.nanoTime() - t0 >= TimeUnit.MILLISECONDS.toNanos(900),
                "a blocking query waits for its wait when nothing changes");

        CompletableFuture<HttpResponse<String>> blocked = getAsync(PM + "/allocations?index=" + index + "&wait=60s");
        Http.Reply created = Http.post(sidecar.uri(PM + "/allocate"), "{\"service\":\"watched\",\"type\":\"testing\"}");
        assertEquals(201, created.status(), created.toString());
        int port = created.json().get("port").asInt();

        HttpResponse<String> woke = blocked.get(30, TimeUnit.SECONDS);
        assertEquals(200, woke.statusCode(), woke.body());
        assertNotEquals(index, index(woke));
        List<Integer> ports = new ArrayList<>();
        for (JsonNode a : Http.JSON.readTree(woke.body())) {
            ports.add(a.get("port").asInt());
        }
        assertTrue(ports.contains(port), "the answer after the wake-up holds the new allocation: " + woke.body());
    }

    /** The value of the sample line {@code name{labels} value}, 0 when the series is absent. */
    private static double sample(String metrics, String series) {
        for (String line : metrics.split("\n")) {
            if (line.startsWith(series + " ")) {
                return Double.parseDouble(line.substring(series.length() + 1).trim().split(" ")[0]);
            }
        }
        return 0;
    }

    @Test
    void metricsRiseWhenAnAllocationIsMadeThroughTheApi() throws Exception {
        HttpResponse<String> before = get("/metrics");
        assertEquals(200, before.statusCode(), before.body());
        assertTrue(before.headers().firstValue("Content-Type").orElse("").startsWith("text/plain; version=0.0.4"),
                before.headers().map().toString());
        String made = "portmanager_api_allocations_total{range=\"testing\"}";
        String reserved = "portmanager_allocations{range=\"testing\",state=\"RESERVED\"}";
        assertTrue(before.body().contains("# TYPE portmanager_allocations gauge"), before.body());
        assertTrue(before.body().contains("portmanager_conflicts{kind=\"squatter\"}"), before.body());
        assertTrue(before.body().contains("portmanager_moved_allocations{range=\"testing\"}"), before.body());

        String moves = "portmanager_moves_total{range=\"testing\"}";
        String movedNow = "portmanager_moved_allocations{range=\"testing\"}";
        assertTrue(before.body().contains("# TYPE portmanager_moves_total counter"), before.body());

        Http.Reply created = Http.post(sidecar.uri(PM + "/allocate"), "{\"service\":\"metered\",\"type\":\"testing\"}");
        assertEquals(201, created.status(), created.toString());
        int taken = created.json().get("port").asInt();
        assertEquals(200, get(DISCOVERY + "/services").statusCode(), "a lookup to time");
        String after = get("/metrics").body();
        assertEquals(sample(before.body(), made) + 1, sample(after, made), after);
        assertEquals(sample(before.body(), reserved) + 1, sample(after, reserved), after);
        assertEquals(sample(before.body(), moves), sample(after, moves), "no move yet: " + after);
        assertTrue(sample(after, "portmanager_lookup_duration_seconds_count") >= 1, after);
        assertTrue(after.contains("portmanager_lookup_duration_seconds_bucket{le=\"0.001\"}"), after);

        // asking for the port just reserved is a move: the counter of moves rises by one, and stays there
        Http.Reply moved = Http.post(sidecar.uri(PM + "/allocate"),
                "{\"service\":\"metered-moved\",\"type\":\"testing\",\"preferredPort\":" + taken + "}");
        assertEquals(201, moved.status(), moved.toString());
        assertNotEquals(taken, moved.json().get("port").asInt(), moved.toString());
        String afterMove = get("/metrics").body();
        assertEquals(sample(before.body(), made) + 2, sample(afterMove, made), afterMove);
        assertEquals(sample(before.body(), reserved) + 2, sample(afterMove, reserved), afterMove);
        assertEquals(sample(before.body(), moves) + 1, sample(afterMove, moves), afterMove);
        assertEquals(sample(before.body(), movedNow) + 1, sample(afterMove, movedNow), afterMove);
        assertEquals(sample(afterMove, moves), sample(get("/metrics").body(), moves), "a move counts once");
        for (Http.Reply r : List.of(created, moved)) {
            assertEquals(200, Http.send("DELETE", sidecar.uri(PM + "/release/" + r.json().get("port").asInt()),
                    null, "application/json").status());
        }
    }

    @Test
    void badIndexOrWaitIs400SayingWhatIsAccepted() throws Exception {
        for (String q : List.of("index=abc", "index=-3", "index=1&wait=soon", "index=1&wait=0s", "wait=10x")) {
            HttpResponse<String> r = get(PM + "/allocations?" + q);
            assertEquals(400, r.statusCode(), q + ": " + r.body());
            JsonNode body = Http.JSON.readTree(r.body());
            assertEquals("bad_request", body.get("error").asText(), r.body());
            assertTrue(body.get("detail").asText().contains("index=N"), r.body());
        }
        HttpResponse<String> r = get(DISCOVERY + "/services/nothing?index=x");
        assertEquals(400, r.statusCode(), r.body());
    }

    @Test
    void watchCommandPrintsAddedAndRemovedLinesOnTheStoreAndThroughTheSidecar() throws Exception {
        ChildProcess ndjson = child(List.of("watch", "--json", "echo"));
        ChildProcess text = child(List.of("watch", "--url", sidecar.url().toString(), "echo"));
        // Both print the (empty) current state and then wait; an allocation of another service is not shown.
        Http.Reply other = Http.post(sidecar.uri(PM + "/allocate"), "{\"service\":\"other\",\"type\":\"testing\"}");
        assertEquals(201, other.status(), other.toString());
        Http.Reply created = Http.post(sidecar.uri(PM + "/allocate"), "{\"service\":\"echo\",\"type\":\"testing\"}");
        int port = created.json().get("port").asInt();

        String added = ndjson.awaitLine(l -> l.contains("\"event\":\"added\""), 30_000);
        JsonNode event = Http.JSON.readTree(added);
        assertEquals("echo", event.get("allocation").get("service").asText());
        assertEquals(port, event.get("allocation").get("port").asInt());
        assertTrue(event.get("index").asLong() > 0, added);
        String plus = text.awaitLine(l -> l.startsWith("+ "), 30_000);
        assertTrue(plus.startsWith("+ echo ") && plus.contains(":" + port + " RESERVED reservation"), plus);

        assertEquals(200, Http.send("DELETE", sidecar.uri(PM + "/release/" + port), null, "application/json")
                .status());
        String removed = ndjson.awaitLine(l -> l.contains("\"event\":\"removed\""), 30_000);
        assertEquals(port, Http.JSON.readTree(removed).get("allocation").get("port").asInt());
        String minus = text.awaitLine(l -> l.startsWith("- "), 30_000);
        assertTrue(minus.startsWith("- echo ") && minus.contains(":" + port), minus);
        assertTrue(!ndjson.output().contains("other") && !text.output().contains("other"),
                ndjson.output() + text.output());
    }

    @Test
    void discoveryClientWatchSeesAServiceStartAndStop() throws Exception {
        PortManagerConfig config = PortManagerConfig.defaults().withStateDir(launcher.stateDir());
        BlockingQueue<List<Endpoint>> direct = new LinkedBlockingQueue<>();
        BlockingQueue<List<Endpoint>> viaSidecar = new LinkedBlockingQueue<>();
        try (DiscoveryClient store = DiscoveryClient.create(config);
             DiscoveryClient remote = DiscoveryClient.connect(sidecar.url());
             ServiceWatch w1 = store.watch("emo", direct::add);
             ServiceWatch w2 = remote.watch("emo", viaSidecar::add)) {
            assertEquals(List.of(), direct.poll(30, TimeUnit.SECONDS), "first call: the current (no) instances");
            assertEquals(List.of(), viaSidecar.poll(30, TimeUnit.SECONDS));

            List<String> args = new ArrayList<>(List.of("run", "--service", "emo", "--type", "testing", "--"));
            args.addAll(PythonHttpServer.command("{port}", dir));
            ChildProcess web = child(args);
            List<Endpoint> up = direct.poll(90, TimeUnit.SECONDS); // a child JVM's start on a loaded machine
            assertNotNull(up, "no call after the service started");
            assertEquals(1, up.size(), up.toString());
            assertEquals("emo", up.get(0).service());
            List<Endpoint> upRemote = viaSidecar.poll(30, TimeUnit.SECONDS);
            assertNotNull(upRemote, "no call through the sidecar after the service started");
            assertEquals(up.get(0).port(), upRemote.get(0).port());

            web.terminate();
            assertEquals(List.of(), direct.poll(30, TimeUnit.SECONDS), "the stop is a change");
            assertEquals(List.of(), viaSidecar.poll(30, TimeUnit.SECONDS));
        }
    }
}
