package dev.portmanager.agent.subjects;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

/** Legacy stack: {@code ServerSocketChannel.open().bind(...)}. */
public final class ChannelApp {
    public static void main(String[] args) throws Exception {
        ServerSocketChannel server = ServerSocketChannel.open().bind(new InetSocketAddress(Subject.port(args)));
        Subject.listening(((InetSocketAddress) server.getLocalAddress()).getPort());
        while (true) {
            try (SocketChannel client = server.accept()) {
                client.write(ByteBuffer.wrap(Subject.greeting("channel")));
            }
        }
    }
}
