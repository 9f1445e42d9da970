package dev.portmanager.agent.it;

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

/** Ports for tests: free ones chosen at run time (so parallel runs do not collide) and a real request to one. */
final class Ports {
    static final int ML_START = 8300;
    static final int ML_END = 8499;

    private Ports() {
    }

    /** A port free right now (outside every managed range: the OS picks from its ephemeral range). */
    static int free() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** One attempt of a test at a port that must be free when its child binds it. */
    interface PortAttempt {
        void run(int port) throws Exception;
    }

    /**
     * Runs {@code attempt} with a port free right now, and again with another when it failed because some other
     * process on this shared machine took the port between the pick and the child's bind (checked after the
     * attempt: the port is still held, though the attempt's children are gone). Any other failure is the test's.
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
