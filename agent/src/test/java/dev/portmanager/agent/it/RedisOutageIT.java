package dev.portmanager.agent.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portmanager.Allocation;
import dev.portmanager.AllocationState;
import dev.portmanager.config.PortManagerConfig;
import dev.portmanager.registry.RedisRegistry;
import dev.portmanager.testing.RedisServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Redis unreachable for many leases, at the product level: an app under the agent, the CLI and the sidecar (the
 * shaded jar, as users start it) all use a Redis store that is down. Allocation goes on and every view answers from
 * the host; once Redis is back (empty, as after a restart without persistence) the registry catches up with what
 * the long-running processes hold.
 */
class RedisOutageIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
            .proxy(HttpClient.Builder.NO_PROXY).build();
    private static final String PM = "/api/v1/port-management";
    /** Short, so that the outage below outlasts several leases. */
    private static final Duration LEASE = Duration.ofSeconds(3);

    @Test
    void allocationAndViewsGoOnWhileRedisIsDownAndTheRegistryCatchesUpAfterwards(@TempDir Path tmp)
            throws Exception {
        Path stateDir = tmp.resolve("state");
        Path config = Files.writeString(tmp.resolve("config.yaml"), "lease: " + LEASE.toSeconds() + "s\n");
        Path configHome = Files.createDirectories(tmp.resolve("xdg"));
        try (RedisServer redis = RedisServer.launch(); ServerSocket taken = Ports.hold()) {
            SidecarJar pm = new SidecarJar(configHome, Map.of("PORTMANAGER_STATE_DIR", stateDir.toString(),
                    "PORTMANAGER_CONFIG", config.toString()));
            try (SidecarJar.Serving sidecar = pm.serve("--store", redis.uri())) {
                redis.kill();
                long outageStart = System.nanoTime();

                // The agent: a new app binds, moves off its taken port into the ml range and answers.
                String args = "service=outage-app,type=ml,lease=" + LEASE.toSeconds() + "s,stateDir=" + stateDir
                        + ",store=" + redis.uri();
                try (ChildJvm app = ChildJvm.start(Jdk.jdk17(), args, List.of(), AgentJar.subjects(),
                        Stack.SERVER_SOCKET.mainClass, Integer.toString(taken.getLocalPort()))) {
                    int appPort = app.awaitListening();
                    assertTrue(Ports.inRange("ml", appPort), app.toString());
                    assertEquals("HELLO serversocket", Ports.request(appPort, false));

                    // The CLI: allocates and finds the app, from the host's state directory.
                    SidecarJar.Result cli = pm.run("--store", redis.uri(), "allocate", "--service", "cli-made",
                            "--type", "testing");
                    // 3: made on this host, but the registry could not confirm it; stderr says so in one line
                    assertEquals(3, cli.exit(), cli.toString());
                    assertEquals("portmanager allocate: the reservation holds on this host, but the Redis registry "
                            + "did not confirm it (unreachable, or slower than 30 s): other hosts may not see it yet\n",
                            cli.err(), cli.toString());
                    int cliPort = Integer.parseInt(cli.out().split(" ")[0]);
                    SidecarJar.Result lookup = pm.run("--store", redis.uri(), "lookup", "outage-app");
                    // 3: a partial answer (the registry could not be read; this host's part is shown)
                    assertEquals(3, lookup.exit(), lookup.toString());
                    // One endpoint, the app's (its wildcard bind is advertised under the host's name), and one
                    // line saying that the answer is this host's alone.
                    assertEquals(1, lookup.out().lines().count(), lookup.toString());
                    assertTrue(lookup.out().trim().endsWith(":" + appPort), lookup.toString());
                    assertEquals(1, lookup.err().lines().count(), lookup.toString());
                    assertTrue(lookup.err().contains("unreachable") && lookup.err().endsWith("showing this host only\n"),
                            lookup.toString());

                    // The sidecar: allocates too.
                    HttpResponse<String> created = post(sidecar.uri(PM + "/allocate"),
                            "{\"service\":\"sidecar-made\",\"type\":\"testing\"}");
                    assertEquals(201, created.statusCode(), created.body());
                    int sidecarPort = JSON.readTree(created.body()).get("port").asInt();

                    // Several leases of outage, every view answering all along.
                    List<Integer> expected = sorted(List.of(appPort, cliPort, sidecarPort));
                    int rounds = 0;
                    while (System.nanoTime() - outageStart < 4 * LEASE.toNanos() || rounds < 3) {
                        rounds++;
                        assertEquals(200, get(sidecar.uri("/health")).statusCode());
                        assertEquals(expected, allocatedPorts(sidecar), "round " + rounds);
                        JsonNode service = JSON.readTree(get(sidecar.uri("/api/v1/discovery/services/outage-app"))
                                .body());
                        assertEquals(appPort, service.get("instances").get(0).get("port").asInt(), service.toString());
                        assertEquals("HELLO serversocket", Ports.request(appPort, false));
                        Thread.sleep(500); // paces the checks; the loop's end is the outage's length, not this
                    }
                    SidecarJar.Result views = pm.run("--store", redis.uri(), "allocations", "--json");
                    assertEquals(3, views.exit(), views.toString()); // partial, as for lookup above
                    assertEquals(expected, sorted(portsOf(JSON.readTree(views.out()))), views.toString());

                    // Redis is back, empty: the app and the sidecar publish what they hold again.
                    redis.start();
                    PortManagerConfig viewer = PortManagerConfig.defaults().withStateDir(tmp.resolve("viewer"))
                            .withStore(redis.uri());
                    List<Allocation> registered = awaitRegistry(viewer, all -> all.stream().anyMatch(a ->
                            a.port() == appPort && a.service().equals("outage-app") && a.pid() == app.pid()
                                    && a.state() == AllocationState.LISTENING)
                            && all.stream().anyMatch(a -> a.port() == sidecarPort
                            && a.service().equals("sidecar-made")));
                    assertTrue(registered.stream().anyMatch(a -> a.port() == appPort), "the app: " + registered
                            + "\n" + app);
                    assertTrue(registered.stream().anyMatch(a -> a.port() == sidecarPort), "the sidecar's: "
                            + registered + "\n" + sidecar.child().output());
                    assertTrue(app.stderr().stream().allMatch(l -> l.startsWith("[portmanager] ")), app.toString());
                }
            }
        }
    }

    private static List<Allocation> awaitRegistry(PortManagerConfig config, Predicate<List<Allocation>> done)
            throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        try (RedisRegistry registry = RedisRegistry.create(config)) {
            List<Allocation> found = List.of();
            while (System.nanoTime() < deadline) {
                try {
                    found = registry.allocations();
                } catch (RuntimeException notConnectedYet) {
                    found = List.of();
                }
                if (done.test(found)) {
                    return found;
                }
                Thread.sleep(200);
            }
            return found;
        }
    }

    private static List<Integer> allocatedPorts(SidecarJar.Serving sidecar) throws Exception {
        HttpResponse<String> r = get(sidecar.uri(PM + "/allocations"));
        assertEquals(200, r.statusCode(), r.body());
        return sorted(portsOf(JSON.readTree(r.body())));
    }

    private static List<Integer> portsOf(JsonNode allocations) {
        List<Integer> ports = new ArrayList<>();
        allocations.forEach(a -> ports.add(a.get("port").asInt()));
        return ports;
    }

    private static List<Integer> sorted(List<Integer> ports) {
        return ports.stream().sorted().toList();
    }

    private static HttpResponse<String> get(URI uri) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(20)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> post(URI uri, String json) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(20))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
