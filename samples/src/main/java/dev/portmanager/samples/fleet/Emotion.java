package dev.portmanager.samples.fleet;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousServerSocketChannel;
import java.nio.channels.AsynchronousSocketChannel;
import java.nio.channels.CompletionHandler;
import java.util.concurrent.CountDownLatch;

/**
 * emotion: sentiment scoring behind callbacks. AsynchronousServerSocketChannel on the hardcoded 8088; each
 * connection reads one request head, answers and closes.
 */
public final class Emotion {
    private static final int PORT = 8088;

    public static void main(String[] args) throws Exception {
        AsynchronousServerSocketChannel server = AsynchronousServerSocketChannel.open().bind(new InetSocketAddress(PORT));
        int port = ((InetSocketAddress) server.getLocalAddress()).getPort();
        System.out.println("emotion listening on " + port);
        byte[] answer = RawHttp.ok(RawHttp.hello("emotion", "AsynchronousServerSocketChannel", port));
        server.accept(null, new CompletionHandler<AsynchronousSocketChannel, Void>() {
            @Override
            public void completed(AsynchronousSocketChannel client, Void unused) {
                server.accept(null, this); // keep accepting
                serve(client, answer);
            }

            @Override
            public void failed(Throwable e, Void unused) {
                System.err.println("emotion: accept failed: " + e);
            }
        });
        new CountDownLatch(1).await(); // the channel group's threads are daemons: keep the JVM up
    }

    private static void serve(AsynchronousSocketChannel client, byte[] answer) {
        ByteBuffer in = ByteBuffer.allocate(8192);
        client.read(in, null, new CompletionHandler<Integer, Void>() {
            @Override
            public void completed(Integer n, Void unused) {
                if (n >= 0 && in.hasRemaining() && !RawHttp.headComplete(in.array(), in.position())) {
                    client.read(in, null, this);
                    return;
                }
                write(client, ByteBuffer.wrap(answer));
            }

            @Override
            public void failed(Throwable e, Void unused) {
                close(client);
            }
        });
    }

    private static void write(AsynchronousSocketChannel client, ByteBuffer out) {
        client.write(out, null, new CompletionHandler<Integer, Void>() {
            @Override
            public void completed(Integer n, Void unused) {
                if (out.hasRemaining()) {
                    client.write(out, null, this);
                } else {
                    close(client);
                }
            }

            @Override
            public void failed(Throwable e, Void unused) {
                close(client);
            }
        });
    }

    private static void close(AsynchronousSocketChannel client) {
        try {
            client.close();
        } catch (IOException ignored) {
            // the peer is gone already
        }
    }
}
