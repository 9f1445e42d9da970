package dev.portmanager.host;

import dev.portmanager.Allocation;
import dev.portmanager.AllocationRequest;
import dev.portmanager.AllocationState;
import dev.portmanager.Endpoint;
import dev.portmanager.Owner;
import dev.portmanager.PortManager;
import dev.portmanager.PortManagerException;
import dev.portmanager.cli.Launcher;
import dev.portmanager.config.PortManagerConfig;
import dev.portmanager.testing.ProcessLines;
import dev.portmanager.testing.TestConfigs;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Issue 9 on the state directory: interrupts, two users in one JVM, owner locks, port-0 records, links, modes, paths. */
class StateDirectoryRobustnessTest {
    @TempDir
    Path dir;

    private final List<AutoCloseable> open = new ArrayList<>();
    /** A bound on a child's silence (a hang), not on its speed: a JVM starting on a machine loaded many times over. */
    private static final Duration CHILD_LINE = Duration.ofSeconds(120);
    private final List<Process> children = new ArrayList<>();

    @AfterEach
    void cleanUp() throws Exception {
        Thread.interrupted();
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
        for (Process p : children) {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private PortManager openManager(PortManagerConfig config) {
        PortManager pm = PortManager.open(config);
        open.add(pm);
        return pm;
    }

    private static AllocationRequest ml(String service) {
        return AllocationRequest.forService(service).type("ml");
    }

    @Test
    void anInterruptedCallerKeepsItsFlagAndTheStateDirectoryKeepsWorking() {
        PortManager pm = openManager(TestConfigs.smallRanges(dir.resolve("state")));
        Thread.currentThread().interrupt();
        Allocation a = pm.allocate(ml("shut-down-worker"));
        Allocation listening = pm.markListening(a, "127.0.0.1");
        assertEquals(1, pm.lookup("shut-down-worker").size());
        assertTrue(pm.release(listening));
        assertTrue(Thread.interrupted(), "the caller's interrupt flag is given back");

        Allocation next = pm.allocate(ml("after"));
        assertEquals(AllocationState.ALLOCATED, next.state(), "the claims file is still open for everyone");
    }

    @Test
    void interruptsArrivingInTheMiddleOfOperationsNeverBreakThem() throws Exception {
        PortManager pm = openManager(TestConfigs.smallRanges(dir.resolve("state")));
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread worker = new Thread(() -> {
            try {
                for (int i = 0; i < 300; i++) {
                    Allocation a = pm.allocate(ml("busy").instance("busy-" + (i % 7)));
                    pm.release(pm.markListening(a, "127.0.0.1"));
                }
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        worker.start();
        while (worker.isAlive()) {
            worker.interrupt(); // from another thread, at any moment of an operation
            LockSupport.parkNanos(1_000_000);
        }
        worker.join();
        assertNull(failure.get(), () -> "an operation failed: " + failure.get());
        assertTrue(pm.allocations().isEmpty(), "every claim was released: " + pm.allocations());
        assertEquals(AllocationState.ALLOCATED, pm.allocate(ml("after")).state());
    }

    @Test
    void twoManagersInOneJvmShareTheClaimsFileAndClosingOneKeepsTheOthersClaimsLive() throws Exception {
        PortManagerConfig config = TestConfigs.smallRanges(dir.resolve("state"));
        PortManager agentSide = openManager(config);
        Allocation held = agentSide.markListening(agentSide.allocate(ml("agent-held")), "127.0.0.1");
        PortManager appSide = PortManager.open(config);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread churn = new Thread(() -> {
            try {
                for (int i = 0; i < 200; i++) {
                    agentSide.release(agentSide.allocate(ml("churn").instance("churn-" + (i % 5))));
                }
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        churn.start();
        for (int i = 0; i < 200; i++) {
            assertEquals(List.of(held.port()), appSide.lookup("agent-held").stream().map(Endpoint::port).toList());
            appSide.allocations();
        }
        churn.join();
        assertNull(failure.get(), () -> "the other user failed: " + failure.get());
        appSide.close();

        // Another process judges liveness by the owner lock: closing the app's manager must not have dropped it.
        assertEquals(List.of(held.port()), lookupFromAnotherProcess(config.stateDir(), "agent-held"));
        assertEquals(List.of(held.port()), agentSide.lookup("agent-held").stream().map(Endpoint::port).toList());
    }

    @Test
    void aKilledOwnersClaimIsFreedAsSoonAsTheKernelDropsItsLock() throws Exception {
        PortManagerConfig config = TestConfigs.smallRanges(dir.resolve("state"));
        Path file = dir.resolve("config.yaml");
        var r = config.ranges();
        Files.writeString(file, "stateDir: " + config.stateDir() + "\nranges:\n  ml: { start: " + r.get("ml").start()
                + ", end: " + r.get("ml").end() + ", priority: 2 }\n");
        Process child = new ProcessBuilder(javaBin(), "-cp", Launcher.classPath(),
                "dev.portmanager.testing.AllocateMany", file.toString(), "doomed", "1").start();
        children.add(child);
        ProcessLines out = ProcessLines.of(child);
        int port = Integer.parseInt(out.next(CHILD_LINE).trim());
        assertEquals("done", out.next(CHILD_LINE));

        StateDirectory state = new StateDirectory(config.stateDir());
        open.add(state::close);
        Claim alive = state.read(port);
        assertEquals(Claim.OwnerLock.HELD, alive.ownerLock());
        assertTrue(alive.lockHolder().startsWith(child.pid() + "@"), alive.lockHolder());
        assertTrue(HostAllocator.isLive(alive, System.currentTimeMillis()));

        child.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        Claim dead = state.read(port);
        assertEquals(Claim.OwnerLock.FREE, dead.ownerLock());
        assertFalse(HostAllocator.isLive(dead, System.currentTimeMillis()));
    }

    @Test
    void withoutAnOwnerLockAPidFromAnotherPidNamespaceIsNotJudged() {
        Allocation a = new Allocation("h", 9000, "svc", "ml", "svc", "main", 0, null, 999_999, 1, 0, 30_000,
                Long.MAX_VALUE, AllocationState.LISTENING, 1, "test");
        Claim here = new Claim(a, 0, null, PidNamespace.current(), Claim.OwnerLock.FREE);
        Claim elsewhere = new Claim(a, 0, null, "pid:[1]", Claim.OwnerLock.FREE);
        assertFalse(HostAllocator.isLive(here, 0), "pid 999999 does not run in this namespace");
        assertTrue(HostAllocator.isLive(elsewhere, 0), "a pid of another namespace cannot be checked from here");
        Claim lockedAndDropped = new Claim(a, 0, new Owner(999_999, 1).token() + "@pid:[1]", "pid:[1]",
                Claim.OwnerLock.FREE);
        assertFalse(HostAllocator.isLive(lockedAndDropped, 0), "its owner held the lock and the kernel dropped it");
    }

    @Test
    void closedPortZeroBindsLeaveNoRecordAndTheFileShrinksBack() throws Exception {
        PortManager pm = openManager(TestConfigs.smallRanges(dir.resolve("state")));
        pm.release(pm.allocate(ml("regular"))); // a normal grant's record stays (its cool-down)
        StateDirectory state = new StateDirectory(pm.config().stateDir());
        open.add(state::close);
        List<Integer> before = state.claimedPorts();
        long sizeBefore = state.claimsFileSize();
        for (int i = 0; i < 300; i++) {
            try (ServerSocket s = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
                Allocation a = pm.registerListening("churn", null, "ephemeral", s.getLocalPort(), "127.0.0.1");
                if (i == 0) {
                    assertEquals(List.of(s.getLocalPort()),
                            pm.lookup("churn").stream().map(Endpoint::port).toList(), "found while it listens");
                }
                assertTrue(pm.release(a));
            }
        }
        assertEquals(before, state.claimedPorts(), "no record left by the closed port-0 binds");
        assertEquals((sizeBefore + 1023) / 1024 * 1024, state.claimsFileSize(),
                "the file's empty tail was cut off again (down to its last record)");
        assertTrue(pm.lookup("churn").isEmpty());
    }

    @Test
    void linksPlantedInTheStateDirectoryAreRefused() throws Exception {
        Path elsewhere = Files.createDirectories(dir.resolve("elsewhere"));
        for (String name : List.of("sticky", "reserved", "damaged")) {
            Path root = Files.createDirectories(dir.resolve("root-" + name));
            Files.createSymbolicLink(root.resolve(name), elsewhere);
            PortManagerException e = assertThrows(PortManagerException.class,
                    () -> PortManager.open(TestConfigs.smallRanges(root)));
            assertTrue(e.getMessage().contains(root.resolve(name) + " is a symbolic link"), e.getMessage());
        }
        Path victim = Files.writeString(dir.resolve("victim"), "keep me");
        Path root = Files.createDirectories(dir.resolve("root-claims"));
        Files.createSymbolicLink(root.resolve("claims"), victim);
        PortManagerException e = assertThrows(PortManagerException.class,
                () -> PortManager.open(TestConfigs.smallRanges(root)));
        assertTrue(e.getMessage().contains("is a symbolic link"), e.getMessage());
        assertEquals("keep me", Files.readString(victim));

        // A link planted as an entry is neither read nor written through: the rename replaces the link itself.
        PortManager pm = openManager(TestConfigs.smallRanges(dir.resolve("state")));
        Path outside = Files.writeString(dir.resolve("outside"), "12345");
        Path entry = dir.resolve("state").resolve("sticky").resolve("linked#main");
        Files.createSymbolicLink(entry, outside);
        Allocation a = pm.allocate(ml("linked"));
        pm.release(pm.markListening(a, "127.0.0.1"));
        assertEquals("12345", Files.readString(outside));
        assertFalse(Files.isSymbolicLink(entry));
        assertEquals(Integer.toString(a.port()), Files.readString(entry).trim());
    }

    @Test
    void aGroupWritableStateDirectoryGetsGroupWritableFilesWhateverTheUmask() throws Exception {
        Path root = Files.createDirectories(dir.resolve("shared"));
        Files.setAttribute(root, "unix:mode", 02775);
        PortManager pm = openManager(TestConfigs.smallRanges(root));
        pm.release(pm.markListening(pm.allocate(ml("group-a")), "127.0.0.1")); // sticky/ entry
        pm.allocate(AllocationRequest.forService("group-b").type("ml").reservation(Duration.ofMinutes(5))); // reserved/
        for (String name : List.of("claims", "sticky", "sticky/group-a#main", "reserved")) {
            Path p = root.resolve(name);
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS);
            assertTrue(perms.contains(PosixFilePermission.GROUP_WRITE), name + " is " + perms);
            assertTrue(perms.contains(PosixFilePermission.GROUP_READ), name + " is " + perms);
        }
        try (var reservations = Files.list(root.resolve("reserved"))) {
            for (Path p : reservations.toList()) {
                assertTrue(Files.getPosixFilePermissions(p).contains(PosixFilePermission.GROUP_WRITE), p.toString());
            }
        }
        for (String name : List.of("sticky", "reserved", "damaged")) {
            int mode = (Integer) Files.getAttribute(root.resolve(name), "unix:mode");
            assertEquals(02000, mode & 02000, name + " keeps the setgid bit: " + Integer.toOctalString(mode));
        }
    }

    @Test
    void tildeIsExpandedFromHomeAndRelativePathsAreRefused() {
        String home = System.getenv("HOME") != null ? System.getenv("HOME") : System.getProperty("user.home");
        assertEquals(Path.of(home, "x", "y"), StateDirPath.resolve(Path.of("~/x/y")));
        assertEquals(Path.of(home), StateDirPath.resolve(Path.of("~")));
        assertEquals(Path.of("/srv/pm"), StateDirPath.resolve(Path.of("/srv/pm")));
        PortManagerException relative = assertThrows(PortManagerException.class,
                () -> StateDirPath.resolve(Path.of("state")));
        assertEquals("state directory 'state' is a relative path; give an absolute path (or one starting with ~/): "
                + "processes started in different directories would not share it", relative.getMessage());
        PortManagerException otherUser = assertThrows(PortManagerException.class,
                () -> StateDirPath.resolve(Path.of("~bob/pm")));
        assertTrue(otherUser.getMessage().contains("only ~ and ~/ are expanded"), otherUser.getMessage());
    }

    @Test
    void aStuckLockHolderMakesAnAllocationGiveUpInsteadOfWaitingForever() throws Exception {
        PortManagerConfig config = TestConfigs.smallRanges(dir.resolve("state"));
        StateDirectory state = new StateDirectory(config.stateDir(), TimeUnit.MILLISECONDS.toNanos(300));
        open.add(state::close);
        int wanted = config.ranges().get("ml").start() + 3;
        Process holder = new ProcessBuilder(javaBin(), "-cp", Launcher.classPath(),
                "dev.portmanager.testing.HoldRecordLock", config.stateDir().resolve("claims").toString(),
                Integer.toString(wanted)).start();
        children.add(holder);
        assertEquals("LOCKED", ProcessLines.of(holder).next(CHILD_LINE));
        HostAllocator allocator = new HostAllocator(config, state, "test-host");
        PortManagerException e = assertTimeoutPreemptively(Duration.ofSeconds(30), () -> assertThrows(
                PortManagerException.class, () -> allocator.allocate(ml("patient").preferredPort(wanted))));
        assertTrue(e.getMessage().startsWith("the claim of port " + wanted + " in " + config.stateDir().resolve("claims")
                + " stayed locked by another process for 300 ms"), e.getMessage());
    }

    private static List<Integer> lookupFromAnotherProcess(Path stateDir, String service) throws Exception {
        Process p = new ProcessBuilder(javaBin(), "-cp", Launcher.classPath(), "dev.portmanager.testing.LookupOnce",
                stateDir.toString(), service).redirectErrorStream(true).start();
        List<Integer> ports = new ArrayList<>();
        try {
            ProcessLines out = ProcessLines.of(p);
            String line;
            while ((line = out.next(CHILD_LINE)) != null && !line.equals("END")) {
                ports.add(Integer.parseInt(line.trim()));
            }
        } finally {
            p.waitFor(30, TimeUnit.SECONDS);
            p.destroyForcibly();
        }
        return ports;
    }

    private static String javaBin() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }
}
