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

    /** A run of {@code n} consecutive free ports in [from, to]; returns the first. */
    static int freeRun(int from, int to, int n) {
        outer:
        for (int p = from; p + n - 1 <= to; p++) {
            for (int i = 0; i < n; i++) {
                if (!isFree(p + i)) {
                    continue outer;
                }
            }
            return p;
        }
        throw new AssertionError("no " + n + " free consecutive ports in " + from + "-" + to);
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
