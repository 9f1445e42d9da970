package dev.portmanager.agent.it;

import com.sun.net.httpserver.HttpServer;
import dev.portmanager.Allocation;
import dev.portmanager.PortManager;
import dev.portmanager.config.PortManagerConfig;
import dev.portmanager.testing.RedisServer;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The registry side of connect redirects, on JDK 17 and 25: a client under the agent on "host-a" with a route to a
 * service that only "host-b" runs (known through Redis) reaches it at the address host-b advertises, and follows
 * it when it moves on host-b. Both "hosts" are this machine with their own state directories and host names (real
 * separate hosts are the samples' network-namespace tests); host-b advertises 127.0.0.1, so the route's loopback
 * rule ("this host's instance first, else another host's") is what leads there.
 *
 * <p>Prints how long the move took to reach the client (BENCHMARKS.md, "Connect decision").
 */
class ConnectRedisIT {
    static Stream<Jdk> jdks() {
        return Jdk.all().stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void aRouteFollowsAnotherHostsInstanceThroughTheRegistry(Jdk jdk, @TempDir Path hostA, @TempDir Path hostB)
            throws Exception {
        HttpServer first = answer("HELLO far-1");
        HttpServer second = answer("HELLO far-2");
        int firstPort = first.getAddress().getPort();
        int secondPort = second.getAddress().getPort();
        PortManagerConfig b;
        try (RedisServer redis = RedisServer.launch()) {
            b = PortManagerConfig.defaults().withStateDir(hostB).withStore(redis.uri()).withHost("host-b");
            try (PortManager pmB = PortManager.open(b)) {
                int dialed = Ports.free();
                Allocation one = pmB.registerListening("far", "ml", "main", firstPort, "127.0.0.1");
                assertTrue(pmB.flushRegistry(Duration.ofSeconds(30)), "registered in Redis");
                String args = "service=gateway,host=host-a,stateDir=" + hostA + ",store=" + redis.uri()
                        + ",routes=" + dialed + "=far";
                try (ChildJvm client = ChildJvm.start(jdk, args, List.of(), AgentJar.subjects(),
                        "dev.portmanager.agent.subjects.ConnectClientApp", "watch", Integer.toString(dialed))) {
                    // The first connect waits (at most 3 s) for the registry's first reading; on a loaded machine the
                    // agent's Redis client may take longer to start, so the first result may still be a refusal.
                    awaitSeen(client, " HELLO far-1 remote=" + firstPort);

                    // The move: far's instance on host-b goes from firstPort to secondPort (registered, then the old
                    // one withdrawn; both publish in host-b's background, as a real move does).
                    long moved = System.currentTimeMillis();
                    pmB.registerListening("far", "ml", "main", secondPort, "127.0.0.1");
                    pmB.release(one);
                    assertTrue(pmB.flushRegistry(Duration.ofSeconds(30)), "the move is in Redis");
                    String after = awaitSeen(client, " HELLO far-2 remote=" + secondPort);
                    long reached = Long.parseLong(after.split(" ")[1]);
                    System.out.println("MEASURED " + jdk + ": a move in the registry (register, withdraw) reached the client's connects in "
                            + Math.max(0, reached - moved) + " ms");
                    // Awaited: stderr has its own reader thread, so the line may come after the SEEN line on stdout.
                    String line = "[portmanager] gateway: connect 127.0.0.1:" + dialed + " -> 127.0.0.1:" + secondPort
                            + " (far)";
                    assertEquals(line, client.awaitStderr(line), client.toString());
                }
            }
        } finally {
            first.stop(0);
            second.stop(0);
        }
    }

    private static String awaitSeen(ChildJvm client, String ending) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            for (String line : client.stdout()) {
                if (line.startsWith("SEEN ") && line.endsWith(ending)) {
                    return line;
                }
            }
            Thread.sleep(20);
        }
        throw new AssertionError("the client never reached" + ending + ": " + client);
    }

    private static HttpServer answer(String body) throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            byte[] bytes = (body + "\n").getBytes(StandardCharsets.US_ASCII);
            exchange.sendResponseHeaders(200, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        });
        server.start();
        return server;
    }
}
