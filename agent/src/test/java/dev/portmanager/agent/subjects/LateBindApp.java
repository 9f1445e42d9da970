package dev.portmanager.agent.subjects;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.ServerSocket;

/**
 * Loads the server socket classes first, then waits for a line on stdin before it binds (args[0]): lets a test
 * attach the agent in between, so the agent must retransform classes that are already loaded.
 */
public final class LateBindApp {
    public static void main(String[] args) throws Exception {
        try (ServerSocket warm = new ServerSocket()) {
            java.nio.channels.ServerSocketChannel.open().close();
            System.out.println("LOADED " + warm.isBound());
        }
        System.out.flush();
        new BufferedReader(new InputStreamReader(System.in)).readLine();
        ServerSocket server = new ServerSocket(Subject.port(args));
        Subject.listening(server.getLocalPort());
        java.nio.channels.ServerSocketChannel channel = java.nio.channels.ServerSocketChannel.open()
                .bind(new java.net.InetSocketAddress(Subject.port(args)));
        System.out.println("CHANNEL " + ((java.net.InetSocketAddress) channel.getLocalAddress()).getPort());
        while (true) {
            Subject.greet(server.accept(), "late");
        }
    }
}
