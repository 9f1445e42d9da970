package dev.portmanager.agent.subjects;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousServerSocketChannel;
import java.nio.channels.AsynchronousSocketChannel;

/** Legacy stack: {@code AsynchronousServerSocketChannel.open().bind(...)}. */
public final class AsyncChannelApp {
    public static void main(String[] args) throws Exception {
        AsynchronousServerSocketChannel server = AsynchronousServerSocketChannel.open()
                .bind(new InetSocketAddress(Subject.port(args)));
        Subject.listening(((InetSocketAddress) server.getLocalAddress()).getPort());
        while (true) {
            try (AsynchronousSocketChannel client = server.accept().get()) {
                client.write(ByteBuffer.wrap(Subject.greeting("async"))).get();
            }
        }
    }
}
