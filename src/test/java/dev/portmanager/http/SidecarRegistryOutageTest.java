package dev.portmanager.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.portmanager.cli.Launcher;
import dev.portmanager.cli.Sidecar;
import dev.portmanager.testing.RedisServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A registry that accepts TCP connections and never answers (a black-holed Redis): the sidecar's local views
 * answer without it, and the registry part says it is stale.
 */
class SidecarRegistryOutageTest {
    private static final String PM = "/api/v1/port-management";

    @TempDir
    Path dir;

    @Test
    void viewsAnswerWithLocalDataAndAStaleMarker() throws Exception {
        try (BlackHole redis = new BlackHole();
             Sidecar s = Sidecar.start(new Launcher(dir), List.of("--store", "redis://127.0.0.1:" + redis.port()),
                     List.of())) {
            Http.Reply created = Http.post(s.uri(PM + "/allocate"), "{\"service\":\"local\",\"type\":\"testing\"}");
            assertEquals(201, created.status(), created.toString());
            int port = created.json().get("port").asInt();
            // Let the sidecar reach the black hole first: its connection is open, its commands go unanswered.
            long end = System.currentTimeMillis() + 30_000;
            while (redis.connections() == 0 && System.currentTimeMillis() < end) {
                Thread.sleep(50);
            }
            assertTrue(redis.connections() > 0, "the sidecar never tried the registry");

            // 8 at once, as a dashboard and a few scripts would; each client gives up after 20 s.
            List<CompletableFuture<Http.Reply>> replies = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                String path = i % 2 == 0 ? "/health" : PM + "/allocations";
                replies.add(CompletableFuture.supplyAsync(() -> Http.get(s.uri(path))));
            }
            for (int i = 0; i < replies.size(); i++) {
                Http.Reply r = replies.get(i).join();
                assertEquals(200, r.status(), r.toString());
                if (i % 2 == 0) {
                    JsonNode registry = r.json().get("registry");
                    assertNotEquals("fresh", registry.get("state").asText(), r.toString());
                } else {
                    assertEquals("stale", r.header("PortManager-Registry"), r.toString());
                    List<Integer> ports = new ArrayList<>();
                    r.json().forEach(a -> ports.add(a.get("port").asInt()));
                    assertEquals(List.of(port), ports, "this host's allocation, registry or not: " + r);
                }
            }
            Http.Reply conflicts = Http.get(s.uri(PM + "/conflicts"));
            assertEquals(200, conflicts.status(), conflicts.toString());
            assertEquals("stale", conflicts.header("PortManager-Registry"));
            Http.Reply services = Http.get(s.uri("/api/v1/discovery/services"));
            assertEquals(200, services.status(), services.toString());
            assertTrue(conflicts.header("PortManager-Registry-Detail").contains("did not answer"),
                    "why it is stale: " + conflicts);

            // The CLI through the sidecar says so too: exit 3 (a partial answer, as for a direct store read), one
            // line on stderr with the sidecar's reason, and stdout the answer itself, table or the API's JSON.
            Launcher cli = new Launcher(dir);
            Launcher.Result table = cli.run("--url", s.url().toString(), "allocations");
            assertEquals(3, table.exit(), table.toString());
            assertTrue(table.out().lines().anyMatch(l -> l.startsWith(port + " ") && l.contains(" local ")),
                    "this host's allocation: " + table);
            List<String> notice = table.err().lines().filter(l -> l.contains("registry part stale")).toList();
            assertEquals(1, notice.size(), table.toString());
            assertTrue(notice.get(0).contains("the sidecar at " + s.url() + " could not read the registry (")
                    && notice.get(0).contains("did not answer"), table.toString());
            Launcher.Result json = cli.run("--url", s.url().toString(), "allocations", "--json");
            assertEquals(3, json.exit(), json.toString());
            List<Integer> jsonPorts = new ArrayList<>();
            Json.LENIENT.readTree(json.out()).forEach(a -> jsonPorts.add(a.get("port").asInt()));
            assertEquals(List.of(port), jsonPorts, json.toString());
            assertTrue(json.err().contains("registry part stale"), json.toString());
        }
    }

    @Test
    void aFreshRegistryPartIsNoPartialAnswer() throws Exception {
        try (RedisServer redis = RedisServer.launch();
             Sidecar s = Sidecar.start(new Launcher(dir), List.of("--store", redis.uri()), List.of())) {
            // its first read may still be under way (pending, which is stale too): wait for one that finished
            long end = System.currentTimeMillis() + 60_000;
            while (!"fresh".equals(Http.get(s.uri(PM + "/allocations")).header("PortManager-Registry"))
                    && System.currentTimeMillis() < end) {
                Thread.sleep(200);
            }
            Launcher.Result r = new Launcher(dir).run("--url", s.url().toString(), "allocations", "--json");
            // the sidecar's own registration is on this host; the registry answered, so nothing is partial
            assertEquals(0, r.exit(), r.toString());
            assertTrue(!r.err().contains("registry part stale"), r.toString());
        }
    }
}
