package com.acme;

import java.net.ServerSocket;

/** An application whose main class is just {@code Main}: binds a port-0 server socket and says so. */
public final class Main {
    public static void main(String[] args) throws Exception {
        ServerSocket server = new ServerSocket(0);
        System.out.println("LISTENING " + server.getLocalPort());
        System.out.flush();
        server.accept();
    }
}
