package dev.portmanager.agent.subjects;

import java.net.InetSocketAddress;
import java.net.ServerSocket;

/**
 * Several server sockets in one JVM, then close-and-rebind: arguments are ports; binds each ({@code LISTENING}),
 * then closes the first and binds its hardcoded port again ({@code REBOUND <port>}), then a port-0 socket
 * ({@code EPHEMERAL <port>}).
 */
public final class MultiPortApp {
    public static void main(String[] args) throws Exception {
        ServerSocket[] servers = new ServerSocket[args.length];
        for (int i = 0; i < args.length; i++) {
            servers[i] = new ServerSocket(Integer.parseInt(args[i]));
            Subject.listening(servers[i].getLocalPort());
        }
        // Close, then bind the same hardcoded port again at once, as a restarting server does: no pause, so the
        // rebind meets whatever the core last read of the kernel's socket table, with the old socket in it.
        servers[0].close();
        ServerSocket again = new ServerSocket();
        again.bind(new InetSocketAddress(Integer.parseInt(args[0])));
        System.out.println("REBOUND " + again.getLocalPort());
        ServerSocket ephemeral = new ServerSocket(0);
        System.out.println("EPHEMERAL " + ephemeral.getLocalPort());
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
