package dev.portmanager.http;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/** Free-port helpers for tests. */
final class Ports {
    private Ports() {
    }

    /** A port in [from, to] that nothing listens on now (bind-checked on the wildcard address). */
    static int freeIn(int from, int to) {
        for (int p = from; p <= to; p++) {
            if (isFree(p)) {
                return p;
            }
        }
        throw new AssertionError("no free port in " + from + "-" + to);
    }

    static boolean isFree(int port) {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(false);
            s.bind(new InetSocketAddress(InetAddress.getByName("0.0.0.0"), port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
