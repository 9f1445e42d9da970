package dev.portmanager.agent.it;

import dev.portmanager.testing.IsolatedRanges;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An app under the agent dies with kill -9 (no shutdown hook, nothing released), and comes back: its port cools
 * down for everyone else, and the app itself gets the same port again, as a restarted service should.
 *
 * <p>Its apps allocate from ranges of this JVM's own ({@link IsolatedRanges}), not the default ones: between the kill
 * and the restart, another build's app under the agent would be granted the free default port and bind it, and the
 * sticky port would then rightly be refused.
 */
class RestartIT {
    private final IsolatedRanges ranges = IsolatedRanges.take();
    private Path config;

    @Test
    void anAppKilledWithMinus9GetsItsStickyPortBackAndTheCoolDownKeepsOthersOff(@TempDir Path dir) throws Exception {
        Path stateDir = dir.resolve("state");
        config = Files.writeString(dir.resolve("config.yaml"), ranges.yaml());
        try (ServerSocket taken = Ports.hold()) {
            String hardcoded = Integer.toString(taken.getLocalPort());
            int first;
            try (ChildJvm app = start("restarter", stateDir, hardcoded)) {
                first = app.awaitListening();
                assertTrue(ranges.contains("ml", first), app.toString());
                assertEquals("HELLO serversocket", Ports.request(first, false));
                assertTrue(Registry.lookup(stateDir, "restarter").stream().anyMatch(e -> e.port() == first),
                        app.toString());
                app.kill();
            }
            // Another service wanting the same hardcoded port: the dead app's port is cooling down (10 s by
            // default, counted from when its death is noticed, which is this very allocation), so not that one.
            try (ChildJvm other = start("bystander", stateDir, hardcoded)) {
                int port = other.awaitListening();
                assertNotEquals(first, port, "the dead app's port is cooling down: " + other);
                assertTrue(ranges.contains("ml", port), other.toString());

                // The app again (same service, so the same instance): its previous port at once, cool-down or not.
                try (ChildJvm again = start("restarter", stateDir, hardcoded)) {
                    assertEquals(first, again.awaitListening(), again.toString());
                    assertEquals("HELLO serversocket", Ports.request(first, false));
                    again.awaitStderr("[portmanager] ");
                    List<String> err = again.stderr();
                    assertEquals(1, err.size(), again.toString());
                    assertTrue(err.get(0).startsWith("[portmanager] restarter: " + hardcoded + " -> " + first + " (")
                            && err.get(0).contains("previous port of restarter"), again.toString());
                    assertEquals(List.of(first), Registry.lookup(stateDir, "restarter").stream()
                            .map(e -> e.port()).toList(), "only the live copy is found");
                }
            }
        }
    }

    private ChildJvm start(String service, Path stateDir, String hardcoded) throws Exception {
        return ChildJvm.start(Jdk.jdk17(), "service=" + service + ",type=ml,stateDir=" + stateDir + ",config=" + config,
                List.of(), AgentJar.subjects(), Stack.SERVER_SOCKET.mainClass, hardcoded);
    }
}
