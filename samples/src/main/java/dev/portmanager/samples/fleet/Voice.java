package dev.portmanager.samples.fleet;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

/**
 * voice: speech-to-text and text-to-speech endpoints. Someone copied 8085 from the hrm-mlx-service config because
 * the voice models ran next to it, so both services hardcode 8085 and only one of them can ever start. Blocking
 * ServerSocketChannel, one request at a time.
 */
public final class Voice {
    private static final int PORT = 8085; // same as hrm-mlx-service: the design's open clash

    public static void main(String[] args) throws IOException {
        try (ServerSocketChannel server = ServerSocketChannel.open()) {
            server.bind(new InetSocketAddress(PORT));
            int port = ((InetSocketAddress) server.getLocalAddress()).getPort();
            System.out.println("voice listening on " + port);
            ByteBuffer in = ByteBuffer.allocate(8192);
            while (true) {
                try (SocketChannel client = server.accept()) {
                    in.clear();
                    while (in.hasRemaining() && !RawHttp.headComplete(in.array(), in.position())) {
                        if (client.read(in) < 0) {
                            break;
                        }
                    }
                    ByteBuffer out = ByteBuffer.wrap(RawHttp.ok(RawHttp.hello("voice", "ServerSocketChannel", port)));
                    while (out.hasRemaining()) {
                        client.write(out);
                    }
                } catch (IOException e) {
                    System.err.println("voice: " + e.getMessage());
                }
            }
        }
    }
}
