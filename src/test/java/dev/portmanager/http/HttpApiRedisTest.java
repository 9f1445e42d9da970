package dev.portmanager.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portmanager.cli.ChildProcess;
import dev.portmanager.cli.Launcher;
import dev.portmanager.testing.PythonHttpServer;
import dev.portmanager.testing.RedisServerExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The same HTTP contract on the Redis store (a throwaway redis-server), plus what only Redis does: a service on
 * another host (another state directory and host name) is discovered through the registry.
 */
class HttpApiRedisTest extends HttpApiContract {
    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    @Override
    List<String> storeArgs() {
        return List.of("--store", REDIS.uri());
    }

    /** A second "host": its own state directory and host name, the same Redis. */
    private Launcher otherHost(String name) throws Exception {
        Path config = dir.resolve(name + ".yaml");
        Launcher host = new Launcher(dir.resolve(name));
        Files.writeString(config, host.rangesYaml() + "host: " + name + "\nlease: 3s\n");
        return host.env("PORTMANAGER_CONFIG", config.toString());
    }

    /**
     * Needs the registry to keep renewing an allocation that {@code run} hands to its child
     * ({@code PortManager.markListening(allocation, address, owner)}): with a 3 s lease, an entry that is not
     * renewed is gone before this test can see it.
     */
    @Test
    void aServiceOnAnotherHostIsFoundThroughRedis() throws Exception {
        Launcher b = otherHost("host-b");
        List<String> args = new ArrayList<>(List.of("--store", REDIS.uri(), "run", "--service", "far", "--type",
                "testing", "--"));
        args.addAll(PythonHttpServer.command("{port}", dir));
        ChildProcess remote = new ChildProcess(b.builder(args));
        children.add(remote);
        JsonNode instance = awaitInstance("far", "UP");
        assertEquals("host-b", instance.get("host").asText());
        assertEquals("127.0.0.1", instance.get("address").asText(), "it listens on loopback only");
        Http.Reply health = Http.get(at(DISCOVERY + "/services/far/health"));
        assertEquals("UP", health.json().get("status").asText(), health.toString());

        remote.terminate();
        remote.awaitExit(15_000);
        awaitGone("far");
    }

    @Test
    void aReservationMadeHereIsVisibleFromAnotherHost() throws Exception {
        Http.Reply r = Http.post(at(PM + "/allocate"), "{\"service\":\"shared\",\"type\":\"testing\"}");
        assertEquals(201, r.status(), r.toString());
        int port = r.json().get("port").asInt();
        Launcher b = otherHost("host-c");
        long end = System.currentTimeMillis() + 15_000;
        boolean seen = false;
        while (!seen && System.currentTimeMillis() < end) {
            Launcher.Result all = b.run("--store", REDIS.uri(), "allocations", "--json");
            assertEquals(0, all.exit(), all.toString());
            for (JsonNode a : new ObjectMapper().readTree(all.out())) {
                seen |= a.get("port").asInt() == port && a.get("service").asText().equals("shared");
            }
            if (!seen) {
                Thread.sleep(200);
            }
        }
        assertTrue(seen, "host-c sees the reservation through Redis");

        // Made by the short-lived CLI instead of the sidecar: still published before the command exits.
        Launcher.Result cli = launcher.run("--store", REDIS.uri(), "allocate", "--service", "by-cli", "--type",
                "testing");
        assertEquals(0, cli.exit(), cli.toString());
        int cliPort = Integer.parseInt(cli.out().split(" ")[0]);
        Launcher.Result fromC = b.run("--store", REDIS.uri(), "allocations", "--json");
        boolean found = false;
        for (JsonNode a : new ObjectMapper().readTree(fromC.out())) {
            found |= a.get("port").asInt() == cliPort && a.get("service").asText().equals("by-cli");
        }
        // The allocating command's own output too: whether its publication reached Redis before it exited.
        if (!found) {
            String key = "{portmanager}:alloc:" + r.json().get("host").asText() + ":" + cliPort;
            throw new AssertionError("host-c does not see by-cli:\n" + fromC + "\nthe allocate command:\n" + cli
                    + "\nin Redis, EXISTS " + key + " = " + REDIS.server().command("EXISTS", key)
                    + ", DBSIZE = " + REDIS.server().command("DBSIZE"));
        }
    }

    @Test
    void aReadableRegistryIsMarkedFresh() throws Exception {
        // Right after start the sidecar may still be connecting (stale then); once connected, it is fresh.
        long end = System.currentTimeMillis() + 30_000;
        Http.Reply all = Http.get(at(PM + "/allocations"));
        while (!"fresh".equals(all.header("PortManager-Registry")) && System.currentTimeMillis() < end) {
            Thread.sleep(100);
            all = Http.get(at(PM + "/allocations"));
        }
        assertEquals(200, all.status(), all.toString());
        assertEquals("fresh", all.header("PortManager-Registry"), all.toString());
        // /health never waits for the registry: it shows the last read, fresh once one has finished.
        String state = null;
        while (System.currentTimeMillis() < end && !"fresh".equals(state)) {
            state = Http.get(at("/health")).json().get("registry").get("state").asText();
            Thread.sleep(50);
        }
        assertEquals("fresh", state);
    }
}
