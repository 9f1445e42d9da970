package dev.portmanager.samples.fleet;

import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.Socket;

/**
 * hrm-mlx-service: a model server from before anyone thought about ports. Plain blocking ServerSocket, one request
 * at a time, port 8085 baked in (the voice service was pointed at the same port, which is the clash in the design).
 */
public final class HrmMlxService {
    private static final int PORT = 8085; // hardcoded, as it always was

    public static void main(String[] args) throws IOException {
        try (ServerSocket server = new ServerSocket(PORT)) {
            // The port we really got: under the agent it may not be PORT.
            int port = server.getLocalPort();
            System.out.println("hrm-mlx-service listening on " + port);
            while (true) {
                try (Socket client = server.accept()) {
                    readHead(client.getInputStream());
                    client.getOutputStream().write(RawHttp.ok(RawHttp.hello("hrm-mlx-service", "ServerSocket", port)));
                } catch (IOException e) {
                    System.err.println("hrm-mlx-service: " + e.getMessage());
                }
            }
        }
    }

    private static void readHead(InputStream in) throws IOException {
        byte[] buf = new byte[8192];
        int n = 0;
        while (n < buf.length && !RawHttp.headComplete(buf, n)) {
            int r = in.read(buf, n, buf.length - n);
            if (r < 0) {
                return;
            }
            n += r;
        }
    }
}
