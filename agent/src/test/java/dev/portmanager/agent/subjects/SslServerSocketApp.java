package dev.portmanager.agent.subjects;

import javax.net.ssl.SSLServerSocketFactory;
import java.net.ServerSocket;

/** Legacy stack: an {@code SSLServerSocket} (binds through ServerSocket#bind). Only binds: it has no key store. */
public final class SslServerSocketApp {
    public static void main(String[] args) throws Exception {
        ServerSocket server = SSLServerSocketFactory.getDefault().createServerSocket(Subject.port(args));
        Subject.listening(server.getLocalPort());
        System.out.println("CLASS " + server.getClass().getName());
        Thread.sleep(Long.MAX_VALUE);
    }
}
