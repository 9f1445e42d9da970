package dev.portmanager.agent.it;

import dev.portmanager.testing.IsolatedRanges;
import dev.portmanager.testing.PortBlock;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * Ports for tests: ports of this test JVM's own block ({@link PortBlock}, a kernel-held claim that no other build's
 * test JVM shares), the ranges the child JVMs allocate from, and a real request to a port.
 */
final class Ports {
    /**
     * The ranges every child JVM allocates from (ChildJvm writes them into the child's config file), in this JVM's
     * block, instead of the defaults that every build on the host shares: with the defaults, two builds' children
     * are both granted 8300 and race to bind it, so exact moves and stderr lines would hang on the product's bind
     * retry. Taken once for the JVM: its tests run one after another, each with its own state directory and its
     * children killed before the next starts, and the ITs take far fewer than the block's 2000 ports, so the part
     * is never handed out again.
     */
    private static IsolatedRanges ranges;

    private Ports() {
    }

    static synchronized IsolatedRanges ranges() {
        if (ranges == null) {
            ranges = IsolatedRanges.take();
        }
        return ranges;
    }

    /** Whether {@code port} lies in the children's range for {@code type}. */
    static boolean inRange(String type, int port) {
        return ranges().contains(type, port);
    }

    /**
     * A port of this JVM's block on which nothing listens now, and in none of the children's ranges. Only this JVM
     * hands out ports of its block, and they lie below the kernel's ephemeral range, so no other build's test and no
     * outgoing connection takes it before a child binds it.
     */
    static int free() {
        return PortBlock.take(1);
    }

    /** One attempt of a test at a port that must be free when its child binds it. */
    interface PortAttempt {
        void run(int port) throws Exception;
    }

    /**
     * Runs {@code attempt} with a port of this JVM's block ({@link #free}), and again with another when it failed
     * because some process outside the test JVMs' agreement (a host service) took the port between the pick and the
     * child's bind (checked after the attempt: the port is still held, though the attempt's children are gone). Any
     * other failure is the test's.
     */
    static void withFreePort(PortAttempt attempt) throws Exception {
        for (int tries = 1; ; tries++) {
            int port = free();
            try {
                attempt.run(port);
                return;
            } catch (org.opentest4j.TestAbortedException skipped) {
                throw skipped;
            } catch (AssertionError | Exception e) {
                if (tries >= 3 || !heldBySomeoneElse(port)) {
                    throw e;
                }
                System.err.println("port " + port + " was taken by another process meanwhile; trying another");
            }
        }
    }

    private static boolean heldBySomeoneElse(int port) {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress(port));
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    /** A port held by this (test) process: "another process already took the app's hardcoded port". */
    static ServerSocket hold() throws IOException {
        ServerSocket s = new ServerSocket();
        s.bind(new InetSocketAddress(0));
        return s;
    }

    /** Connects and reads the greeting line (raw TCP, or HTTP GET for the HttpServer subject). */
    static String request(int port, boolean http) throws Exception {
        if (http) {
            HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/"))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            return response.body().trim();
        }
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            s.setSoTimeout(10000);
            return new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII)).readLine();
        }
    }
}
