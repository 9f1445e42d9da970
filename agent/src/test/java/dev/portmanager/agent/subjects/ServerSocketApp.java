package dev.portmanager.agent.subjects;

import java.net.ServerSocket;

/** Legacy stack: {@code new ServerSocket(port)}. */
public final class ServerSocketApp {
    public static void main(String[] args) throws Exception {
        ServerSocket server = new ServerSocket(Subject.port(args));
        Subject.listening(server.getLocalPort());
        while (true) {
            Subject.greet(server.accept(), "serversocket");
        }
    }
}
