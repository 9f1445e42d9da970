package dev.portmanager.agent.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The shaded jar's {@code serve}, started as the README tells users to ({@code java -jar src/target/portmanager.jar
 * serve}): the packaged jar alone, no build class path, must start, serve the API and stop on SIGTERM. The rest of
 * the suite runs the CLI from the build's class path, which would not notice a broken shade (a missing service file,
 * a dependency left out).
 */
class SidecarJarIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
            .proxy(HttpClient.Builder.NO_PROXY).build();

    @Test
    void theShadedJarServesTheApiAndStopsOnSigterm(@TempDir Path tmp) throws Exception {
        Path stateDir = tmp.resolve("state");
        SidecarJar pm = new SidecarJar(Files.createDirectories(tmp.resolve("xdg")),
                Map.of("PORTMANAGER_STATE_DIR", stateDir.toString()));
        try (SidecarJar.Serving sidecar = pm.serve()) {
            assertEquals("127.0.0.1", sidecar.url().getHost(), "loopback unless told otherwise: " + sidecar.url());
            JsonNode health = JSON.readTree(send("GET", sidecar.uri("/health"), null, 200));
            assertEquals("UP", health.get("status").asText(), health.toString());
            assertEquals("embedded " + stateDir, health.get("store").asText(), health.toString());

            JsonNode created = JSON.readTree(send("POST", sidecar.uri("/api/v1/port-management/allocate"),
                    "{\"service\":\"jarred\",\"type\":\"testing\"}", 201));
            int port = created.get("port").asInt();
            assertTrue(port >= 9500 && port <= 9999, created.toString());
            JsonNode all = JSON.readTree(send("GET", sidecar.uri("/api/v1/port-management/allocations"), null, 200));
            assertEquals(1, all.size(), all.toString());
            assertEquals(port, all.get(0).get("port").asInt(), all.toString());
            // The CLI from the same jar sees it in the same state directory.
            SidecarJar.Result cli = pm.run("allocations", "--json");
            assertEquals(0, cli.exit(), cli.toString());
            assertEquals(port, JSON.readTree(cli.out()).get(0).get("port").asInt(), cli.toString());
            send("DELETE", sidecar.uri("/api/v1/port-management/release/" + port), null, 200);

            sidecar.child().terminate();
            assertEquals(143, sidecar.child().awaitExit(30_000), "SIGTERM ends it: " + sidecar.child().output());
        }
    }

    private static String send(String method, URI uri, String json, int expectedStatus) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(20))
                .method(method, json == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(json));
        if (json != null || !"GET".equals(method)) { // the sidecar wants JSON on every POST and DELETE
            b.header("Content-Type", "application/json");
        }
        HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(expectedStatus, r.statusCode(), method + " " + uri + " -> " + r.body());
        return r.body();
    }
}
