package dev.portmanager.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.portmanager.cli.Launcher;
import dev.portmanager.cli.Sidecar;
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
        }
    }
}
