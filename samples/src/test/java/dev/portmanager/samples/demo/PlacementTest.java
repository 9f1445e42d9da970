package dev.portmanager.samples.demo;

import dev.portmanager.Allocation;
import dev.portmanager.AllocationState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The WHY column, from allocations and from a real socket held by this JVM. */
class PlacementTest {
    @TempDir
    Path tmp;

    private Fleet emptyFleet() {
        return new Fleet(new Settings(tmp, tmp.resolve("state"), "embedded", tmp));
    }

    private static Allocation alloc(String service, int requested, int port, long pid, AllocationState state) {
        return new Allocation("h", port, service, "ml", service, "main", requested, "127.0.0.1", pid, 0, 0, 30_000,
                Long.MAX_VALUE, state, 1, "moved by the rules");
    }

    @Test
    void keptWhenItGotWhatItAskedFor() {
        Allocation a = alloc("emotion", 8088, 8088, 10, AllocationState.LISTENING);
        assertEquals("kept: 8088 was free", Placement.why(a, List.of(a), emptyFleet()));
    }

    @Test
    void clashNamesTheServiceHoldingTheAskedPort() {
        Allocation hrm = alloc("hrm-mlx-service", 8085, 8085, 11, AllocationState.LISTENING);
        Allocation voice = alloc("voice", 8085, 8301, 12, AllocationState.LISTENING);
        assertEquals("clash: 8085 is hrm-mlx-service's (pid 11, another fleet on this host)",
                Placement.why(voice, List.of(hrm, voice), emptyFleet()));
    }

    @Test
    void anUnmanagedHolderIsNamedFromTheKernel() throws Exception {
        try (ServerSocket held = new ServerSocket(0)) {
            Allocation a = alloc("emotion", held.getLocalPort(), 8300, 10, AllocationState.LISTENING);
            String why = Placement.why(a, List.of(a), emptyFleet());
            assertTrue(why.startsWith(held.getLocalPort() + " held by pid " + ProcessHandle.current().pid() + ": java"),
                    why);
            assertTrue(why.endsWith(", not managed"), why);
        }
    }

    @Test
    void nobodyHoldingItFallsBackToPortManagersReason() throws Exception {
        int free;
        try (ServerSocket s = new ServerSocket(0)) {
            free = s.getLocalPort();
        }
        Allocation a = alloc("emotion", free, 8300, 10, AllocationState.LISTENING);
        assertEquals("moved: moved by the rules", Placement.why(a, List.of(a), emptyFleet()));
    }

    @Test
    void theKernelSeesOurListeningSocketAndForgetsItOnClose() throws Exception {
        long self = ProcessHandle.current().pid();
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
            assertTrue(Kernel.listenersOf(port).contains(self), Kernel.listeners().toString());
        }
        assertTrue(!Kernel.listenersOf(port).contains(self));
    }
}
