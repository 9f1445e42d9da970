package dev.portmanager.host;

import dev.portmanager.Allocation;
import dev.portmanager.AllocationRequest;
import dev.portmanager.AllocationState;
import dev.portmanager.Endpoint;
import dev.portmanager.Owner;
import dev.portmanager.PortManager;
import dev.portmanager.config.PortManagerConfig;
import dev.portmanager.testing.TestConfigs;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** An SO_REUSEPORT restart: the successor finds its instance's listening port and takes the claim over. */
class HandOverTest {
    @TempDir
    Path stateDir;

    private PortManager pm;
    private Process predecessor;
    private int start;

    @BeforeEach
    void open() throws Exception {
        PortManagerConfig config = TestConfigs.smallRanges(stateDir);
        start = config.ranges().get("ml").start();
        pm = PortManager.open(config);
        predecessor = new ProcessBuilder("sleep", "60").start(); // a live process of another pid
    }

    @AfterEach
    void close() {
        pm.close();
        predecessor.destroyForcibly();
    }

    private AllocationRequest request(String instance, String endpoint) {
        return AllocationRequest.forService("svc").type("ml").instance(instance).endpoint(endpoint)
                .preferredPort(start + 5);
    }

    @Test
    void theSuccessorTakesItsInstancesListeningClaimOverAndThePredecessorsReleaseChangesNothing() {
        Allocation old = pm.markListening(
                pm.allocate(request("svc-1", "http").owner(Owner.of(predecessor.toHandle()))), "127.0.0.1");

        Optional<Allocation> peer = pm.listeningPeer(request("svc-1", "http"));
        assertEquals(Optional.of(old.port()), peer.map(Allocation::port));
        assertTrue(pm.listeningPeer(request("svc-2", "http")).isEmpty(), "another instance");
        assertTrue(pm.listeningPeer(request("svc-1", "admin")).isEmpty(), "another endpoint");

        Allocation taken = pm.takeOver(peer.get(), "127.0.0.1").orElseThrow();
        assertEquals(old.port(), taken.port());
        assertEquals(ProcessHandle.current().pid(), taken.pid());
        assertEquals(AllocationState.LISTENING, taken.state());
        assertEquals(old.generation() + 1, taken.generation());
        assertTrue(pm.listeningPeer(request("svc-1", "http")).isEmpty(), "this process holds it now");
        assertTrue(pm.takeOver(peer.get(), "127.0.0.1").isEmpty(), "an outdated grant is not taken twice");

        assertFalse(pm.release(old), "the predecessor's release no longer holds");
        List<Endpoint> found = pm.lookup("svc");
        assertEquals(1, found.size(), found.toString());
        assertEquals(ProcessHandle.current().pid(), found.get(0).pid());
    }
}
