package dev.portmanager.agent.subjects;

import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;

/** One instance of a zero-downtime-restart service: binds its hardcoded port with SO_REUSEPORT; greets with its pid. */
public final class ReusePortApp {
    public static void main(String[] args) throws Exception {
        ServerSocketChannel server = ServerSocketChannel.open().setOption(StandardSocketOptions.SO_REUSEPORT, true);
        server.bind(new InetSocketAddress(Subject.port(args)));
        Subject.listening(((InetSocketAddress) server.getLocalAddress()).getPort());
        String stack = "reuseport " + ProcessHandle.current().pid();
        while (true) {
            Subject.greet(server.socket().accept(), stack);
        }
    }
}
