package dev.portmanager.agent.it;

import dev.portmanager.Endpoint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The agent's behaviour beyond one bind: copies racing, several sockets, close, fail-open, foreign libraries. */
class BehaviourIT {
    private static final String SERVER_SOCKET_APP = Stack.SERVER_SOCKET.mainClass;

    static List<Jdk> jdks() {
        return Jdk.all();
    }

    @Test
    void copiesStartedAtOnceGetDistinctPortsAndAreAllFound(@TempDir Path stateDir) throws Exception {
        Ports.withFreePort(wanted -> copiesGetDistinctPorts(stateDir.resolve("try-" + wanted), wanted));
    }

    private void copiesGetDistinctPorts(Path stateDir, int wanted) throws Exception {
        List<ChildJvm> copies = new ArrayList<>();
        try {
            for (int i = 0; i < 5; i++) {
                copies.add(ChildJvm.start(Jdk.jdk17(), "service=twin,type=ml,stateDir=" + stateDir, List.of(),
                        AgentJar.subjects(), SERVER_SOCKET_APP, Integer.toString(wanted)));
            }
            Set<Integer> ports = new HashSet<>();
            for (ChildJvm copy : copies) {
                int port = copy.awaitListening();
                assertTrue(ports.add(port), "port " + port + " granted twice: " + copy);
                assertEquals("HELLO serversocket", Ports.request(port, false), copy.toString());
            }
            assertTrue(ports.contains(wanted), "one copy keeps the free hardcoded port: " + ports);
            Set<Integer> found = Registry.lookup(stateDir, "twin").stream().map(Endpoint::port).collect(Collectors.toSet());
            assertEquals(ports, found, "every copy is discoverable");
        } finally {
            copies.forEach(ChildJvm::close);
        }
    }

    @Test
    void severalSocketsGetTheirOwnEndpointsAndARebindGetsItsPortBack(@TempDir Path stateDir) throws Exception {
        try (ServerSocket takenHttp = Ports.hold(); ServerSocket takenAdmin = Ports.hold()) {
            int http = takenHttp.getLocalPort();
            int admin = takenAdmin.getLocalPort();
            String args = "service=multi,type=ml,stateDir=" + stateDir + ",endpoints=" + http + "=http;" + admin + "=admin";
            try (ChildJvm app = ChildJvm.start(Jdk.jdk17(), args, List.of(), AgentJar.subjects(),
                    "dev.portmanager.agent.subjects.MultiPortApp", Integer.toString(http), Integer.toString(admin))) {
                int ephemeral = Integer.parseInt(app.awaitStdout("EPHEMERAL ").substring("EPHEMERAL ".length()));
                List<String> out = app.stdout();
                int httpPort = Integer.parseInt(out.get(0).substring("LISTENING ".length()));
                int adminPort = Integer.parseInt(out.get(1).substring("LISTENING ".length()));
                int rebound = Integer.parseInt(app.awaitStdout("REBOUND ").substring("REBOUND ".length()));
                assertNotEquals(httpPort, adminPort, app.toString());
                assertEquals(httpPort, rebound, "closing released the port and the same request got it back: " + app);

                List<Endpoint> found = Registry.lookup(stateDir, "multi");
                assertTrue(found.stream().anyMatch(e -> e.endpoint().equals("http") && e.port() == httpPort), found::toString);
                assertTrue(found.stream().anyMatch(e -> e.endpoint().equals("admin") && e.port() == adminPort), found::toString);
                assertTrue(found.stream().anyMatch(e -> e.port() == ephemeral), "port-0 bind registered: " + found);
                assertEquals(3, found.size(), "the closed first socket is gone, its rebind is there: " + found);
            }
        }
    }

    @Test
    void brokenStateDirectoryFailsOpenWithOneLine(@TempDir Path tmp) throws Exception {
        Path notADirectory = Files.writeString(tmp.resolve("state"), "a file where the state directory should be");
        Ports.withFreePort(wanted -> {
            try (ChildJvm app = ChildJvm.start(Jdk.jdk17(), "service=broken,stateDir=" + notADirectory, List.of(),
                    AgentJar.subjects(), SERVER_SOCKET_APP, Integer.toString(wanted))) {
                assertEquals(wanted, app.awaitListening(), app.toString());
                assertEquals("HELLO serversocket", Ports.request(wanted, false));
                app.awaitStderr("[portmanager] "); // awaited first, then counted once the app has exited
                app.stop();
                List<String> err = app.stderr();
                assertEquals(1, err.size(), app.toString());
                assertTrue(err.get(0).startsWith("[portmanager] broken: port manager unavailable ("), app.toString());
                assertTrue(err.get(0).endsWith("every bind goes ahead as asked"), app.toString());
            }
        });
    }

    @Test
    void failClosedExitsWithTheMessage(@TempDir Path tmp) throws Exception {
        Path notADirectory = Files.writeString(tmp.resolve("state"), "not a directory");
        try (ChildJvm app = ChildJvm.start(Jdk.jdk17(), "service=strict-one,fail=closed,stateDir=" + notADirectory,
                List.of(), AgentJar.subjects(), SERVER_SOCKET_APP, Integer.toString(Ports.free()))) {
            assertNotEquals(0, app.awaitExit(), app.toString());
            assertTrue(app.stderr().stream().anyMatch(l -> l.startsWith("[portmanager] strict-one: port manager unavailable")
                    && l.endsWith("exiting because fail=closed")), app.toString());
        }
    }

    @Test
    void unknownKeyAndBadValueAreNamedInOneLine(@TempDir Path stateDir) throws Exception {
        Ports.withFreePort(wanted -> {
            try (ChildJvm unknown = ChildJvm.start(Jdk.jdk17(), "service=x,bogus=1,stateDir=" + stateDir, List.of(),
                    AgentJar.subjects(), SERVER_SOCKET_APP, Integer.toString(wanted))) {
                assertEquals(wanted, unknown.awaitListening(), unknown.toString());
                unknown.awaitStderr("[portmanager] "); // awaited first, then counted once the app has exited
                unknown.stop();
                assertEquals(1, unknown.stderr().size(), unknown.toString());
                String line = unknown.stderr().get(0);
                assertTrue(line.contains("unknown agent argument 'bogus'") && line.contains("service, type"), line);
            }
        });
        Ports.withFreePort(other -> {
            try (ChildJvm bad = ChildJvm.start(Jdk.jdk17(), "service=x,stateDir=" + stateDir, List.of("-Dportmanager.mode=sometimes"),
                    AgentJar.subjects(), SERVER_SOCKET_APP, Integer.toString(other))) {
                assertEquals(other, bad.awaitListening(), bad.toString());
                // Awaited first: in one run this line had not come when the app was stopped right after LISTENING.
                bad.awaitStderr("[portmanager] ");
                bad.stop();
                assertEquals(1, bad.stderr().size(), bad.toString());
                String line = bad.stderr().get(0);
                assertTrue(line.contains("'sometimes'") && line.contains("-Dportmanager.mode")
                        && line.contains("preferred or strict"), line);
            }
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void appWithItsOwnNettyAndSlf4jKeepsThemAndSeesNoAgentClass(Jdk jdk, @TempDir Path stateDir) throws Exception {
        try (ServerSocket taken = Ports.hold();
             ChildJvm app = ChildJvm.start(jdk, "service=foreign,type=ml,stateDir=" + stateDir,
                     Stack.NETTY_NIO.jvmOptions(jdk), AgentJar.subjectsWithForeignLibs(), Stack.NETTY_NIO.mainClass,
                     Integer.toString(taken.getLocalPort()))) {
            int port = app.awaitListening();
            assertTrue(Ports.inRange("ml", port), app.toString());
            assertEquals("HELLO netty-nio", Ports.request(port, false));
            app.awaitStdout("VISIBLE net.bytebuddy");
            List<String> out = app.stdout();
            assertTrue(out.contains("NETTY 4.1.118.Final"), "the app's own Netty: " + app);
            assertTrue(out.stream().anyMatch(l -> l.startsWith("SLF4J ") && l.contains("slf4j-api-1.7.36")), app.toString());
            assertFalse(out.stream().anyMatch(l -> l.startsWith("VISIBLE") && l.endsWith("true")), "agent classes leak: " + app);
            app.awaitStderr("[main] INFO subject - app logging works");
            assertFalse(app.stderr().stream().anyMatch(l -> l.contains("SLF4J") && !l.contains("subject")), app.toString());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void clientDatagramUnixDomainAndNullBindsAreLeftAlone(Jdk jdk, @TempDir Path stateDir) throws Exception {
        int clientPort = Ports.free();
        int datagramPort;
        try (java.net.DatagramSocket probe = new java.net.DatagramSocket(0)) {
            datagramPort = probe.getLocalPort();
        }
        // manage=all and no ignore list: only the kind of socket keeps these away from the agent.
        try (ChildJvm app = ChildJvm.start(jdk, "service=passthrough,type=ml,stateDir=" + stateDir, List.of("-Xverify:all"),
                AgentJar.subjects(), "dev.portmanager.agent.subjects.PassThroughApp", Integer.toString(clientPort),
                Integer.toString(datagramPort))) {
            app.awaitStdout("DONE");
            assertEquals(0, app.awaitExit(), app.toString());
            List<String> out = app.stdout();
            assertTrue(out.contains("CLIENT " + clientPort), app.toString());
            assertTrue(out.contains("DATAGRAM " + datagramPort), app.toString());
            assertTrue(out.stream().anyMatch(l -> l.startsWith("UNIX ") && l.endsWith("s.sock")), app.toString());
            assertTrue(out.stream().anyMatch(l -> l.startsWith("NULL ") && !l.equals("NULL 0")), app.toString());
            assertEquals(List.of(), app.stderr(), app.toString());
            assertEquals(List.of(), Registry.lookup(stateDir, "passthrough"), "nothing registered");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void attachedLateItRetransformsLoadedClasses(Jdk jdk, @TempDir Path stateDir) throws Exception {
        List<String> options = jdk.feature() >= 21 ? List.of("-XX:+EnableDynamicAgentLoading", "-Xverify:all")
                : List.of("-Xverify:all");
        try (ServerSocket taken = Ports.hold();
             ChildJvm app = ChildJvm.start(jdk, null, options, AgentJar.subjects(),
                     "dev.portmanager.agent.subjects.LateBindApp", Integer.toString(taken.getLocalPort()))) {
            app.awaitStdout("LOADED");
            com.sun.tools.attach.VirtualMachine vm = com.sun.tools.attach.VirtualMachine.attach(Long.toString(app.pid()));
            try {
                vm.loadAgent(AgentJar.path().toString(), "service=late,type=ml,stateDir=" + stateDir);
            } finally {
                vm.detach();
            }
            app.sendLine("bind");
            int port = app.awaitListening();
            assertTrue(Ports.inRange("ml", port), app.toString());
            assertEquals("HELLO late", Ports.request(port, false));
            int channelPort = Integer.parseInt(app.awaitStdout("CHANNEL ").substring("CHANNEL ".length()));
            assertTrue(Ports.inRange("ml", channelPort) && channelPort != port, app.toString());
            assertTrue(Registry.lookup(stateDir, "late").stream().anyMatch(e -> e.port() == port), app.toString());
        }
    }

    @Test
    void aWarmStartUsesTheCachedRewriteOnlyFromAPrivateDirectory(@TempDir Path stateDir) throws Exception {
        String args = "service=cached,type=ml,stateDir=" + stateDir;
        for (int run = 1; run <= 3; run++) {
            if (run == 3) {
                try (var dirs = Files.list(stateDir.resolve("agent-cache"))) {
                    for (Path dir : dirs.collect(Collectors.toList())) {
                        Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwxrwxrwx"));
                    }
                }
            }
            try (ServerSocket taken = Ports.hold();
                 ChildJvm app = ChildJvm.start(Jdk.jdk17(), args, List.of("-Xverify:all", "-Dportmanager.debug=true"),
                         AgentJar.subjects(), SERVER_SOCKET_APP, Integer.toString(taken.getLocalPort()))) {
                int port = app.awaitListening();
                assertTrue(Ports.inRange("ml", port), app.toString());
                assertEquals("HELLO serversocket", Ports.request(port, false));
                app.awaitStderr("[portmanager] rewrote java/net/ServerSocket");
                boolean cached = app.stderr().stream().anyMatch(l -> l.startsWith("[portmanager] rewrote java/net/ServerSocket (cached)"));
                assertEquals(run == 2, cached, "run " + run + " (3: the cache directory is writable by others): " + app);
            }
        }
    }

    @Test
    void aSecondCopyOfTheAgentStandsDown(@TempDir Path stateDir) throws Exception {
        try (ServerSocket taken = Ports.hold();
             ChildJvm app = ChildJvm.start(Jdk.jdk17(), "service=twice,type=ml,stateDir=" + stateDir,
                     List.of("-javaagent:" + AgentJar.path() + "=service=twice,type=ml,stateDir=" + stateDir),
                     AgentJar.subjects(), SERVER_SOCKET_APP, Integer.toString(taken.getLocalPort()))) {
            int port = app.awaitListening();
            assertTrue(Ports.inRange("ml", port), app.toString());
            app.awaitStderr("[portmanager] twice: "); // awaited first, then counted once the app has exited
            app.stop();
            assertEquals(List.of("[portmanager] already active in this JVM; this extra -javaagent copy does nothing"),
                    app.stderr().stream().filter(l -> !l.startsWith("[portmanager] twice: ")).collect(Collectors.toList()),
                    app.toString());
            assertEquals(1, app.stderr().stream().filter(l -> l.startsWith("[portmanager] twice: ")).count(),
                    "one move, handled once: " + app);
        }
    }

    /** Issue 13: a `preferred=` setting moves a free hardcoded port too, and says so in the one line. */
    @Test
    void aPreferredSettingThatMovesThePortSaysSo(@TempDir Path stateDir) throws Exception {
        int hardcoded = Ports.free();
        int preferred = Ports.free();
        try (ChildJvm app = ChildJvm.start(Jdk.current(), "service=pref,type=ml,stateDir=" + stateDir
                + ",preferred=" + preferred, List.of(), AgentJar.subjects(), SERVER_SOCKET_APP,
                Integer.toString(hardcoded))) {
            assertEquals(preferred, app.awaitListening(), app.toString());
            String line = app.awaitStderr("[portmanager] ");
            assertEquals("[portmanager] pref: " + hardcoded + " -> " + preferred + " (preferred port " + preferred
                    + " is free)", line, app.toString());
            app.stop(); // counted once it has exited and its pumps are done
            assertEquals(1, app.stderr().stream().filter(l -> l.startsWith("[portmanager] ")).count(), app.toString());
        }
    }

    @Test
    void sslServerSocketMovesLikeAPlainOne(@TempDir Path stateDir) throws Exception {
        try (ServerSocket taken = Ports.hold();
             ChildJvm app = ChildJvm.start(Jdk.jdk17(), "service=tls,type=ml,stateDir=" + stateDir, List.of(),
                     AgentJar.subjects(), "dev.portmanager.agent.subjects.SslServerSocketApp",
                     Integer.toString(taken.getLocalPort()))) {
            int port = app.awaitListening();
            assertTrue(Ports.inRange("ml", port), app.toString());
            assertTrue(app.awaitStdout("CLASS ").contains("SSLServerSocketImpl"), app.toString());
            assertTrue(Registry.lookup(stateDir, "tls").stream().anyMatch(e -> e.port() == port), app.toString());
        }
    }
}
