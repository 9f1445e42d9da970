package dev.portmanager.agent.it;

import dev.portmanager.Endpoint;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every server stack, on JDK 17 and 25, in a real child JVM with the real agent jar: a taken hardcoded port
 * moves into the type's range, answers there and is found by name; a free one is kept. Children run with
 * {@code -Xverify:all} so the rewritten JDK and Netty classes are verified (java.base is not, by default).
 */
class StacksIT {
    static Stream<Arguments> stacks() {
        return Jdk.all().stream().flatMap(jdk -> Stream.of(Stack.values()).map(stack -> Arguments.of(jdk, stack)));
    }

    private static ChildJvm launch(Jdk jdk, Stack stack, Path stateDir, int port) throws Exception {
        if (stack == Stack.NETTY_IO_URING) {
            assumeIoUring(jdk);
        }
        String args = "service=" + stack.serviceName() + ",type=ml,stateDir=" + stateDir;
        return ChildJvm.start(jdk, args, stack.jvmOptions(jdk, "-Xverify:all"), stack.classpath(), stack.mainClass,
                Integer.toString(port));
    }

    /** io_uring needs kernel support (containers may forbid it): skipped, with the reason, where it is missing. */
    private static void assumeIoUring(Jdk jdk) throws Exception {
        try (ChildJvm probe = ChildJvm.start(jdk, null, Stack.NETTY_IO_URING.jvmOptions(jdk),
                Stack.NETTY_IO_URING.classpath(), Stack.NETTY_IO_URING.mainClass, "0")) {
            String first = probe.awaitStdout("");
            org.junit.jupiter.api.Assumptions.assumeFalse(first.startsWith("IO_URING UNAVAILABLE"), first);
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("stacks")
    void takenPortMovesIntoTheTypeRange(Jdk jdk, Stack stack, @TempDir Path stateDir) throws Exception {
        try (ServerSocket taken = Ports.hold();
             ChildJvm app = launch(jdk, stack, stateDir, taken.getLocalPort())) {
            int port = app.awaitListening();
            assertTrue(Ports.inRange("ml", port), "port " + port + " outside ml: " + app);
            assertEquals("HELLO " + stackGreeting(stack), Ports.request(port, stack.http), app.toString());

            List<Endpoint> found = Registry.lookup(stateDir, stack.serviceName());
            assertTrue(found.stream().anyMatch(e -> e.port() == port && e.pid() == app.pid()),
                    "lookup " + found + " lacks " + port + ": " + app);

            assertEquals(List.of("LISTENING " + port), app.stdout().subList(0, 1), "stdout is the app's own");
            // Awaited, then counted once the app has exited and both pumps are done: a second line cannot still be
            // on its way.
            app.awaitStderr("[portmanager] ");
            app.stop();
            List<String> err = app.stderr();
            assertEquals(1, err.size(), "exactly one line, the move: " + app);
            assertTrue(err.get(0).startsWith("[portmanager] " + stack.serviceName() + ": " + taken.getLocalPort()
                    + " -> " + port + " ("), app.toString());
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("stacks")
    void freePortIsKept(Jdk jdk, Stack stack, @TempDir Path stateDir) throws Exception {
        Ports.withFreePort(wanted -> {
            try (ChildJvm app = launch(jdk, stack, stateDir, wanted)) {
                assertEquals(wanted, app.awaitListening(), app.toString());
                assertEquals("HELLO " + stackGreeting(stack), Ports.request(wanted, stack.http), app.toString());
                assertTrue(Registry.lookup(stateDir, stack.serviceName()).stream().anyMatch(e -> e.port() == wanted),
                        app.toString());
                // Checked once the app has exited and its stderr pump is done, so a late line is not missed.
                app.stop();
                assertEquals(List.of(), app.stderr(), "quiet when nothing moves: " + app);
            }
        });
    }

    private static String stackGreeting(Stack stack) {
        switch (stack) {
            case SERVER_SOCKET: return "serversocket";
            case SERVER_SOCKET_CHANNEL: return "channel";
            case ASYNC_SERVER_SOCKET_CHANNEL: return "async";
            case JDK_HTTP_SERVER: return "httpserver";
            case NETTY_NIO: return "netty-nio";
            case NETTY_EPOLL: return "netty-epoll";
            default: return "netty-io_uring";
        }
    }

    /**
     * The race the retry exists for: the port is free when the core grants it (nothing listens there) but another
     * process binds it before the app does. A bound, non-listening client socket reproduces that: the kernel's
     * listening table does not show it, yet the app's bind fails with EADDRINUSE. The agent must release the
     * grant, take the next port and bind again, invisibly to the app.
     */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("stacks")
    void portTakenBetweenGrantAndBindIsRetried(Jdk jdk, Stack stack, @TempDir Path stateDir) throws Exception {
        try (java.net.Socket squatter = new java.net.Socket()) {
            squatter.bind(new java.net.InetSocketAddress(0));
            int wanted = squatter.getLocalPort();
            try (ChildJvm app = launch(jdk, stack, stateDir, wanted)) {
                int port = app.awaitListening();
                assertTrue(Ports.inRange("ml", port), "moved on after the failed bind: " + app);
                assertEquals("HELLO " + stackGreeting(stack), Ports.request(port, stack.http), app.toString());
                assertTrue(Registry.lookup(stateDir, stack.serviceName()).stream().anyMatch(e -> e.port() == port),
                        app.toString());
                app.awaitStderr("[portmanager] "); // awaited, then counted once the app has exited
                app.stop();
                List<String> err = app.stderr();
                assertEquals(1, err.size(), app.toString());
                assertTrue(err.get(0).startsWith("[portmanager] " + stack.serviceName() + ": " + wanted + " -> " + port)
                        && err.get(0).contains(wanted + " failed to bind"), app.toString());
            }
        }
    }
}
