package dev.portmanager.samples.fleet;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;

import java.net.InetSocketAddress;

/**
 * rust-llm-router: routes prompts to models. Netty on the native epoll transport (its bind never passes through
 * the JDK's socket classes), hardcoded 8082.
 */
public final class RustLlmRouter {
    private static final int PORT = 8082;

    public static void main(String[] args) throws InterruptedException {
        // Refuse to quietly fall back to NIO: the point of this service is the native transport.
        Epoll.ensureAvailability();
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        try {
            Channel server = new ServerBootstrap().group(group).channel(EpollServerSocketChannel.class)
                    .childHandler(new NettyHello("rust-llm-router", "Netty epoll"))
                    .bind(PORT).sync().channel();
            System.out.println("rust-llm-router listening on " + ((InetSocketAddress) server.localAddress()).getPort());
            server.closeFuture().sync();
        } finally {
            group.shutdownGracefully();
        }
    }
}
