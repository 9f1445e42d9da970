package dev.portmanager.agent.it;

import dev.portmanager.Endpoint;
import dev.portmanager.PortManager;
import dev.portmanager.config.PortManagerConfig;
import dev.portmanager.host.Claim;
import dev.portmanager.host.HostAllocator;
import dev.portmanager.host.StateDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.File;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Issue 9, the state directory under hostile apps: interrupted workers, an app's own PortManager, port-0 churn, containers. */
class StateDirectoryIT {
    private static final String SUBJECTS = "dev.portmanager.agent.subjects.";

    static List<Jdk> jdks() {
        return Jdk.all();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void anInterruptedWorkerLeavesTheAgentWorkingAndKeepsItsFlag(Jdk jdk, @TempDir Path stateDir) throws Exception {
        try (ServerSocket taken = Ports.hold();
             ChildJvm app = ChildJvm.start(jdk, "service=worker,type=ml,stateDir=" + stateDir, List.of(),
                     AgentJar.subjects(), SUBJECTS + "InterruptedWorkerApp", Integer.toString(taken.getLocalPort()),
                     Integer.toString(Ports.free()))) {
            assertEquals("FLAG true", app.awaitStdout("FLAG "), "the worker's interrupt flag is given back: " + app);
            int port = app.awaitListening();
            assertTrue(Ports.inRange("ml", port), "the squatted port still moves: " + app);
            assertEquals("HELLO serversocket", Ports.request(port, false));
            assertEquals(Set.of(port), ports(Registry.lookup(stateDir, "worker")), app.toString());
            assertTrue(app.stderr().stream().noneMatch(l -> l.contains("cannot")), app.toString());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void anAppWithItsOwnDiscoveryClientSharesTheStateDirectoryWithTheAgent(Jdk jdk, @TempDir Path stateDir)
            throws Exception {
        int wanted = Ports.free();
        try (ChildJvm app = ChildJvm.start(jdk, "service=self-aware,type=ml,stateDir=" + stateDir, List.of(),
                subjectsWithCore(), SUBJECTS + "OwnDiscoveryApp", Integer.toString(wanted), stateDir.toString(),
                "self-aware", Integer.toString(Ports.free()))) {
            assertEquals(wanted, app.awaitListening(), app.toString());
            assertEquals("FOUND [" + wanted + "]", app.awaitStdout("FOUND "), app.toString());
            app.awaitStdout("CLOSED");
            assertTrue(app.stdout().stream().noneMatch(l -> l.startsWith("ERROR")), app.toString());
            // Another process judges the agent's claim by its owner lock: the app closing its own manager (and
            // with it, once, the JVM's claims-file channel) must not have dropped it.
            assertEquals(Set.of(wanted), ports(Registry.lookup(stateDir, "self-aware")), app.toString());
            assertEquals("HELLO serversocket", Ports.request(wanted, false));
            app.stop(); // stderr is complete once the app has exited and its pump is done
            assertEquals(List.of(), app.stderr(), app.toString());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void aPortZeroChurnLeavesNoRecords(Jdk jdk, @TempDir Path stateDir) throws Exception {
        try (ChildJvm app = ChildJvm.start(jdk, "service=churner,stateDir=" + stateDir, List.of(),
                AgentJar.subjects(), SUBJECTS + "EphemeralChurnApp", "500")) {
            int kept = app.awaitListening();
            assertEquals(Set.of(kept), ports(Registry.lookup(stateDir, "churner")), "the open one is registered");
            StateDirectory state = new StateDirectory(stateDir);
            try {
                assertEquals(List.of(kept), state.claimedPorts(), "the 500 closed binds left no record");
                // A close trims the empty records that end the file as far back as 64 records, and a view trims
                // longer empty tails (StateDirectory.trimAfterErase, claimedPorts): up to 64 empty records may
                // stay after the kept one when a closed port lay just above it, never the churn's whole spread.
                long size = state.claimsFileSize();
                assertTrue(size <= (kept + 1L + 64) * 1024, "the file ends within 64 records of the kept one ("
                        + kept + "): " + size / 1024 + " records");
            } finally {
                state.close();
            }
        }
    }

    /**
     * Two "containers" (each its own pid namespace, java as pid 1 in each) sharing the host's network and one
     * state directory, one on each JDK. Each sees the other's pid 1 as itself; only the owner lock tells them apart.
     */
    @Test
    void containersInTheirOwnPidNamespacesKeepEachOthersClaims(@TempDir Path stateDir) throws Exception {
        assumeTrue(canUnshare(), "needs root and unshare(1) for pid namespaces");
        List<Jdk> jdks = Jdk.all();
        Jdk first = jdks.get(0);
        Jdk second = jdks.get(jdks.size() - 1);
        int wanted = Ports.free();
        int tick = Ports.free();
        List<String> container = List.of("unshare", "--pid", "--fork", "--mount-proc", "--kill-child");
        String args = "service=boxed,type=ml,stateDir=" + stateDir;
        try (ChildJvm a = ChildJvm.startWrapped(container, first, args, List.of(), AgentJar.subjects(),
                SUBJECTS + "TickingApp", Integer.toString(wanted), Integer.toString(tick))) {
            int portA = a.awaitListening();
            int portB;
            try (ChildJvm b = ChildJvm.startWrapped(container, second, args, List.of(), AgentJar.subjects(),
                    SUBJECTS + "TickingApp", Integer.toString(wanted), Integer.toString(tick))) {
                portB = b.awaitListening();
                assertEquals(wanted, portA, a.toString());
                assertNotEquals(portA, portB, b.toString());
                String endpoint = Integer.toString(wanted); // the tick sockets come and go under their own
                assertEquals(Set.of(portA, portB), ports(Registry.lookup(stateDir, "boxed"), endpoint));

                // 15 s of both containers allocating (and judging each other's claims) once a second.
                long until = System.nanoTime() + Duration.ofSeconds(15).toNanos();
                try (PortManager viewer = PortManager.open(PortManagerConfig.defaults().withStateDir(stateDir))) {
                    while (System.nanoTime() < until) {
                        assertEquals(Set.of(portA, portB), ports(viewer.lookup("boxed"), endpoint), a + "\n" + b);
                        Thread.sleep(500);
                    }
                }
                assertEquals("HELLO serversocket", Ports.request(portA, false));
                assertEquals("HELLO serversocket", Ports.request(portB, false));
                assertTrue(a.stdout().stream().noneMatch(l -> l.startsWith("ERROR")), a.toString());
                assertTrue(b.stdout().stream().noneMatch(l -> l.startsWith("ERROR")), b.toString());
            } // b is killed (SIGKILL to unshare, which kills its pid 1)

            StateDirectory state = new StateDirectory(stateDir);
            try {
                Claim dead = awaitOwnerLockFree(state, portB);
                assertFalse(HostAllocator.isLive(dead, System.currentTimeMillis()), "the killed container's claim is freed");
            } finally {
                state.close();
            }
            assertEquals(Set.of(portA), ports(Registry.lookup(stateDir, "boxed"), Integer.toString(wanted)), a.toString());
        }
    }

    private static Claim awaitOwnerLockFree(StateDirectory state, int port) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        Claim c = state.read(port);
        while (c.ownerLock() != Claim.OwnerLock.FREE && System.nanoTime() < deadline) {
            Thread.sleep(100);
            c = state.read(port);
        }
        return c;
    }

    private static boolean canUnshare() {
        try {
            Process p = new ProcessBuilder("unshare", "--pid", "--fork", "--mount-proc", "--kill-child", "true")
                    .redirectErrorStream(true).start();
            return p.waitFor(10, java.util.concurrent.TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (Exception e) {
            return false;
        }
    }

    private static Set<Integer> ports(List<Endpoint> endpoints, String endpoint) {
        return endpoints.stream().filter(e -> e.endpoint().equals(endpoint)).map(Endpoint::port)
                .collect(Collectors.toSet());
    }

    private static Set<Integer> ports(List<Endpoint> endpoints) {
        return endpoints.stream().map(Endpoint::port).collect(Collectors.toSet());
    }

    /** The subjects plus the core's classes (the app's own copy, loaded by the app's class loader). */
    private static String subjectsWithCore() throws Exception {
        Path core = Path.of(PortManager.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        assertTrue(Files.exists(core), core.toString());
        return AgentJar.subjects() + File.pathSeparator + core;
    }
}
