package dev.portmanager.http;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP server that accepts every connection, reads whatever comes and never answers: a Redis that is up as far
 * as TCP can tell and sick beyond it.
 */
final class BlackHole implements AutoCloseable {
    private final ServerSocket server;
    private final List<Socket> accepted = new CopyOnWriteArrayList<>();

    BlackHole() throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::acceptForever, "black-hole");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    int port() {
        return server.getLocalPort();
    }

    /** How many connections it has swallowed so far. */
    int connections() {
        return accepted.size();
    }

    private void acceptForever() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                accepted.add(s);
                Thread sink = new Thread(() -> swallow(s), "black-hole-sink");
                sink.setDaemon(true);
                sink.start();
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private static void swallow(Socket s) {
        byte[] buf = new byte[4096];
        try (InputStream in = s.getInputStream()) {
            while (in.read(buf) >= 0) {
                // read and drop: never a reply
            }
        } catch (IOException e) {
            // closed
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket s : accepted) {
            s.close();
        }
    }
}
