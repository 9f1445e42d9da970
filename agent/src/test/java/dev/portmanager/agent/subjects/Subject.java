package dev.portmanager.agent.subjects;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * What every subject app shares. A subject is a "legacy" app with a hardcoded port (its first argument): it binds,
 * prints {@code LISTENING <real port>} on stdout and greets every connection with {@code HELLO <stack>}.
 */
final class Subject {
    private Subject() {
    }

    static int port(String[] args) {
        return Integer.parseInt(args[0]);
    }

    static void listening(int port) {
        System.out.println("LISTENING " + port);
        System.out.flush();
    }

    static byte[] greeting(String stack) {
        return ("HELLO " + stack + "\n").getBytes(StandardCharsets.US_ASCII);
    }

    static void greet(Socket client, String stack) {
        try (Socket c = client; OutputStream out = c.getOutputStream()) {
            out.write(greeting(stack));
        } catch (IOException e) {
            // a client that went away
        }
    }
}
