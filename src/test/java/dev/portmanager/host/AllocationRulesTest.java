package dev.portmanager.host;

import dev.portmanager.Allocation;
import dev.portmanager.AllocationRequest;
import dev.portmanager.AllocationState;
import dev.portmanager.Conflict;
import dev.portmanager.ConflictKind;
import dev.portmanager.InvalidRequestException;
import dev.portmanager.Log;
import dev.portmanager.Owner;
import dev.portmanager.PortManager;
import dev.portmanager.RangeExhaustedException;
import dev.portmanager.RangeUtilization;
import dev.portmanager.config.PortManagerConfig;
import dev.portmanager.config.PortRange;
import dev.portmanager.testing.PythonHttpServer;
import dev.portmanager.testing.TestConfigs;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The allocation rules of issue 2, on a real state directory and real sockets. */
class AllocationRulesTest {
    @TempDir
    Path stateDir;
    /** What the python squatters serve (an empty directory, not the module's files). */
    @TempDir
    Path served;

    private PortManagerConfig config;
    private PortManager pm;
    private PortRange ml;
    private PortRange cache;
    private final List<ServerSocket> held = new ArrayList<>();
    private final List<Process> children = new ArrayList<>();

    @BeforeEach
    void open() {
        config = TestConfigs.smallRanges(stateDir);
        ml = config.ranges().get("ml");
        cache = config.ranges().get("cache");
        pm = PortManager.open(config);
    }

    @AfterEach
    void close() throws IOException {
        pm.close();
        for (ServerSocket s : held) {
            s.close();
        }
        children.forEach(Process::destroyForcibly);
    }

    private ServerSocket hold(int port) throws IOException {
        ServerSocket s = new ServerSocket(port, 50, InetAddress.getLoopbackAddress());
        held.add(s);
        return s;
    }

    private AllocationRequest request(String service) {
        return AllocationRequest.forService(service).type("ml");
    }

    @Test
    void freePreferredPortIsGrantedEvenOutsideTheTypesRange() {
        int preferred = config.ranges().get("bridge").start() + 3;
        Allocation a = pm.allocate(request("emotion").preferredPort(preferred));
        assertEquals(preferred, a.port());
        assertFalse(a.moved());
        assertEquals(AllocationState.ALLOCATED, a.state());
        assertEquals(ProcessHandle.current().pid(), a.pid());
        assertEquals("test-host", a.host());
    }

    @Test
    void preferredPortHeldByAnotherSocketMovesIntoTheRangeAndSaysWhy() throws IOException {
        int preferred = config.ranges().get("bridge").start() + 4;
        hold(preferred);
        Allocation a = pm.allocate(request("emotion").preferredPort(preferred));
        assertTrue(ml.contains(a.port()), "moved into the ml range: " + a);
        assertTrue(a.moved());
        assertTrue(a.reason().startsWith(preferred + " held by pid " + ProcessHandle.current().pid()), a.reason());
    }

    @Test
    void strictModeKeepsTheServiceInsideItsRange() {
        int preferred = config.ranges().get("bridge").start() + 5;
        Allocation a = pm.allocate(request("emotion").preferredPort(preferred).mode(AllocationRequest.Mode.STRICT));
        assertTrue(ml.contains(a.port()), a.toString());
        assertTrue(a.reason().contains("outside the ml"), a.reason());
    }

    @Test
    void priorityOneRangeOfAnotherTypeIsNotGivenAway() {
        Allocation a = pm.allocate(request("emotion").preferredPort(cache.start() + 1));
        assertTrue(ml.contains(a.port()), a.toString());
        assertTrue(a.reason().contains("priority 1"), a.reason());
        Allocation own = pm.allocate(AllocationRequest.forService("redis-like").type("cache").preferredPort(cache.start() + 1));
        assertEquals(cache.start() + 1, own.port(), "its own type may use it");
    }

    @Test
    void onePortIsNeverGrantedTwiceAndLiveAllocationsAreSkipped() {
        Allocation first = pm.allocate(request("a").preferredPort(ml.start()));
        Allocation second = pm.allocate(request("b").preferredPort(ml.start()));
        assertEquals(ml.start(), first.port());
        assertNotEquals(first.port(), second.port());
        assertTrue(second.reason().contains("allocated to a"), second.reason());
    }

    /**
     * The cool-down tests use a cool-down no busy core can outlast between two calls (the shared config's 1.5 s
     * could), and poll for its end instead of sleeping past it.
     */
    private PortManager withLongCooldown() {
        pm.close();
        pm = PortManager.open(config.withCooldown(LONG_COOLDOWN));
        return pm;
    }

    private static final Duration LONG_COOLDOWN = Duration.ofSeconds(4);

    /** Asks for {@code port} until it is granted (each miss released at once); fails after 30 s. */
    private Allocation awaitGranted(int port, String service) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            Allocation a = pm.allocate(request(service).preferredPort(port));
            if (a.port() == port) {
                return a;
            }
            pm.release(a);
            if (System.nanoTime() > deadline) {
                throw new AssertionError(port + " never granted again; last answer: " + a);
            }
            Thread.sleep(100);
        }
    }

    /** Polls the allocations view until {@code port} is no longer in it; fails after 30 s. */
    private void awaitGone(int port) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (pm.allocations().stream().anyMatch(x -> x.port() == port)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(port + " still allocated: " + pm.allocations());
            }
            Thread.sleep(50);
        }
    }

    @Test
    void releasedPortCoolsDownForOthersButItsOwnerGetsItBackAtOnce() throws InterruptedException {
        PortManager pm = withLongCooldown();
        Allocation a = pm.allocate(request("emotion").preferredPort(ml.start() + 7));
        assertTrue(pm.release(a));
        Allocation other = pm.allocate(request("voice").preferredPort(ml.start() + 7));
        assertNotEquals(a.port(), other.port(), "cooling down for another service");
        assertTrue(other.reason().contains("cooling down"), other.reason());
        Allocation again = pm.allocate(request("emotion").preferredPort(ml.start() + 7));
        assertEquals(a.port(), again.port(), "the previous owner takes it back at once");
        pm.release(again);
        assertEquals(a.port(), awaitGranted(a.port(), "third").port(), "free after cool-down");
    }

    @Test
    void stickyInstanceGetsItsPreviousPortBackWhenItsPreferredIsTaken() throws IOException {
        int preferred = config.ranges().get("bridge").start() + 9;
        hold(preferred);
        Allocation first = pm.allocate(request("emotion").preferredPort(preferred));
        pm.release(first);
        pm.allocate(request("filler")); // takes the next range port, so "next free" would now differ
        Allocation second = pm.allocate(request("emotion").preferredPort(preferred));
        assertEquals(first.port(), second.port());
        assertTrue(second.reason().contains("previous port of emotion"), second.reason());
    }

    /**
     * The agent's grant (the bind arbitrates): a held preferred port is granted on its claim alone; when the bind
     * then fails, the withdrawal leaves no record of a port that was never claimed and keeps the sticky port, so
     * the retry without it gets the instance's previous port and names the holder.
     */
    @Test
    void aGrantForABindIsWithdrawnWithoutTraceAndTheRetryGetsTheStickyPort() throws IOException {
        int preferred = config.ranges().get("bridge").start() + 13;
        hold(preferred);
        Allocation first = pm.allocate(request("emotion").preferredPort(preferred));
        pm.release(first); // remembered as the instance's port
        Allocation optimistic = pm.allocateForBind(request("emotion").preferredPort(preferred));
        assertEquals(preferred, optimistic.port(), "granted on its claim alone: " + optimistic);
        assertTrue(pm.withdraw(optimistic));
        StateDirectory state = new StateDirectory(config.stateDir());
        try {
            assertNull(state.read(preferred), "the tried port's record is gone");
        } finally {
            state.close();
        }
        Allocation retry = pm.allocateForBind(request("emotion").preferredPort(preferred)
                .excluding(java.util.Set.of(preferred)));
        assertEquals(first.port(), retry.port());
        assertTrue(retry.reason().startsWith(preferred + " held by pid " + ProcessHandle.current().pid()),
                retry.reason());
    }

    @Test
    void theWarmUpReadsThePortsRecordButWritesNoClaim() {
        int preferred = config.ranges().get("bridge").start() + 14;
        StateDirectory state = new StateDirectory(config.stateDir());
        try {
            List<Integer> before = state.claimedPorts();
            pm.warmUp(request("emotion").preferredPort(preferred));
            assertEquals(before, state.claimedPorts(), "no record written");
            assertNull(state.read(preferred));
        } finally {
            state.close();
        }
        assertEquals(preferred, pm.allocateForBind(request("emotion").preferredPort(preferred)).port(),
                "the warmed-up port is still free for the first grant");
    }

    @Test
    void theWarmUpLeavesALiveClaimOnTheLikelyPortAsFound() {
        int preferred = config.ranges().get("bridge").start() + 15;
        Allocation other = pm.allocate(request("other").preferredPort(preferred));
        StateDirectory state = new StateDirectory(config.stateDir());
        try {
            Claim before = state.read(preferred);
            assertEquals(Claim.OwnerLock.HELD, before.ownerLock());
            pm.warmUp(request("emotion").preferredPort(preferred));
            Claim after = state.read(preferred);
            assertEquals(before.allocation(), after.allocation(), "the claim is left as found");
            assertEquals(Claim.OwnerLock.HELD, after.ownerLock(), "and this JVM still backs it with its owner lock");
        } finally {
            state.close();
        }
        assertNotEquals(other.port(), pm.allocateForBind(request("emotion").preferredPort(preferred)).port());
    }

    @Test
    void rebindRightAfterCloseGetsTheSamePortBack() throws IOException {
        int preferred = config.ranges().get("bridge").start() + 11;
        hold(preferred);
        Allocation first = pm.allocate(request("emotion").preferredPort(preferred));
        try (ServerSocket s = new ServerSocket(first.port(), 50, InetAddress.getLoopbackAddress())) {
            pm.markListening(first, "127.0.0.1");
        }
        pm.release(first);
        // No pause: the kernel table read while the socket was open must not be trusted any more.
        assertEquals(first.port(), pm.allocate(request("emotion").preferredPort(preferred)).port());
    }

    @Test
    void reservationOutlivesItsMakerAndTheServiceThatBindsTakesIt() {
        Allocation reserved = pm.allocate(request("emotion").reservation(Duration.ofMinutes(5)));
        assertEquals(AllocationState.RESERVED, reserved.state());
        assertEquals(0, reserved.pid());
        try (PortManager other = PortManager.open(config)) {
            assertTrue(other.allocations().stream().anyMatch(x -> x.port() == reserved.port()),
                    "visible to every process on the state directory");
            Allocation taken = other.allocate(request("emotion").preferredPort(ml.start() + 20));
            assertEquals(reserved.port(), taken.port(), "the service gets exactly the reserved port");
            assertEquals(AllocationState.ALLOCATED, taken.state());
            assertTrue(taken.reason().contains("reserved ahead"), taken.reason());
        }
    }

    @Test
    void expiredReservationIsStaleThenFree() throws InterruptedException {
        Allocation r = pm.allocate(request("emotion").reservation(Duration.ofMillis(300)));
        awaitGone(r.port());
        assertTrue(pm.conflicts().stream().anyMatch(c -> c.kind() == ConflictKind.STALE && c.port() == r.port()));
    }

    @Test
    void deadOwnersPortIsReapedAndCoolsDown() throws Exception {
        PortManager pm = withLongCooldown();
        // A real process owns the allocation, then dies with SIGKILL.
        Process child = new ProcessBuilder("sleep", "60").start();
        children.add(child);
        Allocation a = pm.allocate(request("worker").owner(Owner.of(child.toHandle())).preferredPort(ml.start() + 30));
        assertTrue(pm.allocations().stream().anyMatch(x -> x.port() == a.port()));
        child.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        awaitGone(a.port()); // dead owner frees the port (liveness answers are reused for up to 200 ms)
        assertTrue(pm.conflicts().stream().anyMatch(c -> c.kind() == ConflictKind.STALE && c.port() == a.port()));
        Allocation other = pm.allocate(request("other").preferredPort(a.port()));
        assertNotEquals(a.port(), other.port(), "reaped, then cooling down");
        assertTrue(other.reason().contains("cooling down"), other.reason());
        assertEquals(a.port(), awaitGranted(a.port(), "later").port());
    }

    @Test
    void pidReuseDoesNotKeepADeadOwnerAlive() {
        Owner impostor = new Owner(ProcessHandle.current().pid(), Owner.current().startEpochMillis() - 3_600_000);
        assertFalse(impostor.isAlive(), "same pid, different start time: another process");
        Allocation a = pm.allocate(request("old").owner(impostor).preferredPort(ml.start() + 31));
        assertFalse(pm.allocations().stream().anyMatch(x -> x.port() == a.port()));
    }

    @Test
    void squatterInAManagedRangeIsSkippedAndReported() throws Exception {
        int squatted = ml.start() + 40;
        Process http = new ProcessBuilder(PythonHttpServer.command(squatted, served)).redirectErrorStream(true)
                .start();
        children.add(http);
        waitListening(squatted);
        Set<Integer> granted = new HashSet<>();
        for (int i = 0; i < ml.size() - 1; i++) {
            granted.add(pm.allocate(request("s" + i)).port());
        }
        assertFalse(granted.contains(squatted), "never allocated");
        Conflict c = pm.conflicts().stream().filter(x -> x.kind() == ConflictKind.SQUATTER && x.port() == squatted)
                .findFirst().orElseThrow();
        assertEquals(http.pid(), c.pid());
        assertTrue(c.command().contains("http.server"), c.command());
        RangeUtilization u = pm.utilization().stream().filter(x -> x.type().equals("ml")).findFirst().orElseThrow();
        assertEquals(1, u.unmanaged());
        assertEquals(ml.size() - 1, u.allocated());
        assertEquals(0, u.free());
    }

    /**
     * Issue 13: emotion released its port, an unrelated server took it, emotion comes back. What stops the port is
     * the server, not the cool-down (which never stops the instance that released it): the reason names the
     * server, for emotion and for anyone else.
     */
    @Test
    void theReasonNamesAListenerOnAPortThatIsCoolingDown() throws Exception {
        int port = ml.start() + 44;
        Allocation first = pm.allocate(request("emotion").preferredPort(port));
        assertEquals(port, first.port());
        assertTrue(pm.release(first));
        Process http = new ProcessBuilder(PythonHttpServer.command(port, served)).redirectErrorStream(true).start();
        children.add(http);
        waitListening(port);
        // the holder's command line as the product shortens it (a path argument by its base name)
        String held = port + " held by pid " + http.pid() + ": python3 -m http.server " + port
                + " --bind 127.0.0.1 --directory www";
        Allocation again = pm.allocate(request("emotion").preferredPort(port));
        assertNotEquals(port, again.port());
        assertTrue(again.reason().startsWith(held + "; "), again.reason());
        Allocation other = pm.allocate(request("voice").preferredPort(port));
        assertTrue(other.reason().startsWith(held + "; "), other.reason());
    }

    @Test
    void exhaustedRangeFallsBackToTheDynamicPoolThenFailsNamingTheRange() {
        Map<String, PortRange> tiny = new LinkedHashMap<>();
        int base = TestConfigs.freeBlock(10);
        tiny.put("ml", new PortRange("ml", "ml", base, base + 1, 2));
        tiny.put("dynamic", new PortRange("dynamic", "pool", base + 5, base + 5, 4));
        try (PortManager small = PortManager.open(config.withRanges(tiny).withStateDir(stateDir.resolve("tiny")))) {
            small.allocate(request("a"));
            small.allocate(request("a"));
            Allocation pooled = small.allocate(request("b"));
            assertEquals(base + 5, pooled.port());
            assertTrue(pooled.reason().contains("dynamic pool"), pooled.reason());
            RangeExhaustedException e = assertThrows(RangeExhaustedException.class, () -> small.allocate(request("c")));
            assertTrue(e.getMessage().contains("range ml " + base + "-" + (base + 1) + " is full"), e.getMessage());
            assertTrue(e.getMessage().contains("held by a x2"), e.getMessage());
        }
    }

    @Test
    void badRequestsAreRejectedWithWhatIsAccepted() {
        InvalidRequestException type = assertThrows(InvalidRequestException.class,
                () -> pm.allocate(AllocationRequest.forService("x").type("nlp")));
        assertTrue(type.getMessage().contains("unknown service type 'nlp'; accepted: [cache, ml"), type.getMessage());
        assertThrows(InvalidRequestException.class, () -> pm.allocate(AllocationRequest.forService("has space")));
        assertThrows(InvalidRequestException.class, () -> pm.allocate(AllocationRequest.forService("a:b")));
        assertThrows(InvalidRequestException.class, () -> pm.allocate(request("x").preferredPort(70000)));
        assertTrue(pm.allocations().isEmpty(), "nothing allocated by a bad request");
    }

    @Test
    void damagedClaimRecordIsKeptAsideAndReported() throws IOException {
        int port = ml.start() + 2;
        // Garbage where the port's record is: a plausible length followed by text that is no claim.
        try (var ch = java.nio.channels.FileChannel.open(stateDir.resolve("claims"),
                java.nio.file.StandardOpenOption.WRITE)) {
            ch.write(java.nio.ByteBuffer.wrap(new byte[] {0, 0, 0, 16, 's', 't', 'a', 't', 'e', '=', 'G', 'A', 'R',
                    'B', 'A', 'G', 'E', '\n', 1, 2}), (long) port * 1024);
        }
        List<String> lines = new ArrayList<>();
        var old = Log.setSink(lines::add);
        try {
            assertEquals(port, pm.allocate(request("x").preferredPort(port)).port());
        } finally {
            Log.setSink(old);
        }
        assertEquals(1, lines.size(), lines.toString());
        assertTrue(lines.get(0).contains("damaged"), lines.get(0));
        try (var aside = Files.list(stateDir.resolve("damaged"))) {
            assertEquals(1, aside.count());
        }
    }

    @Test
    void contendedPreferredPortsAreReported() {
        pm.allocate(AllocationRequest.forService("hrm-mlx-service").type("ml").preferredPort(ml.start() + 45));
        pm.allocate(AllocationRequest.forService("voice").type("ml").preferredPort(ml.start() + 45));
        Conflict c = pm.conflicts().stream().filter(x -> x.kind() == ConflictKind.CONTENDED).findFirst().orElseThrow();
        assertEquals(List.of("hrm-mlx-service", "voice"), c.services());
        assertEquals(ml.start() + 45, c.port());
        assertTrue(c.detail().contains("hrm-mlx-service and voice both prefer"), c.detail());
        assertTrue(c.detail().contains("hrm-mlx-service holds it now"), c.detail());
    }

    @Test
    void listeningAllocationsAreFoundByNameAndWithdrawnOnRelease() throws IOException {
        Allocation a = pm.allocate(request("emotion"));
        try (ServerSocket s = new ServerSocket(a.port(), 50, InetAddress.getLoopbackAddress())) {
            assertTrue(pm.lookup("emotion").isEmpty(), "not discoverable before it listens");
            pm.markListening(a, "127.0.0.1");
            assertEquals(List.of(a.port()), pm.lookup("emotion").stream().map(e -> e.port()).toList());
            assertEquals("127.0.0.1", pm.lookup("emotion").get(0).address());
            assertTrue(pm.services().containsKey("emotion"));
        }
        assertEquals(Set.of(), Set.copyOf(pm.conflicts().stream().filter(c -> c.kind() == ConflictKind.FOREIGN).toList()));
        pm.release(a.port());
        assertTrue(pm.lookup("emotion").isEmpty());
    }

    @Test
    void foreignHolderOfAnAllocatedPortIsReported() throws Exception {
        Allocation a = pm.allocate(request("emotion").reservation(Duration.ofMinutes(1)));
        Process http = new ProcessBuilder(PythonHttpServer.command(a.port(), served)).redirectErrorStream(true)
                .start();
        children.add(http);
        waitListening(a.port());
        Conflict c = pm.conflicts().stream().filter(x -> x.kind() == ConflictKind.FOREIGN).findFirst().orElseThrow();
        assertEquals(a.port(), c.port());
        assertEquals(http.pid(), c.pid());
    }

    @Test
    void closingTheManagerReleasesWhatItsProcessHeld() {
        Allocation a = pm.allocate(request("emotion"));
        pm.close();
        try (PortManager again = PortManager.open(config)) {
            assertFalse(again.allocations().stream().anyMatch(x -> x.port() == a.port()));
        }
    }

    static void waitListening(int port) throws InterruptedException {
        ListeningSockets sockets = new ListeningSockets(0);
        for (int i = 0; i < 100 && !sockets.fresh().isListening(port); i++) {
            Thread.sleep(100);
        }
        assertTrue(sockets.fresh().isListening(port), "nothing listens on " + port);
    }
}
