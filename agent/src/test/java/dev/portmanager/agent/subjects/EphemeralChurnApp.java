package dev.portmanager.agent.subjects;

import java.net.ServerSocket;

/**
 * Binds and closes port 0 many times (first argument: how many), then keeps one port-0 socket open and prints
 * {@code LISTENING <its port>}.
 */
public final class EphemeralChurnApp {
    public static void main(String[] args) throws Exception {
        int count = Subject.port(args);
        for (int i = 0; i < count; i++) {
            new ServerSocket(0).close();
        }
        ServerSocket kept = new ServerSocket(0);
        Subject.listening(kept.getLocalPort());
        while (true) {
            Subject.greet(kept.accept(), "serversocket");
        }
    }
}
