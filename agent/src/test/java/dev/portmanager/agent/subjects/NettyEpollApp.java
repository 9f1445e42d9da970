package dev.portmanager.agent.subjects;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerSocketChannel;

import java.net.InetSocketAddress;

/** Legacy stack: Netty's native epoll transport (binds in native code, never through the JDK). */
public final class NettyEpollApp {
    public static void main(String[] args) throws Exception {
        if (!Epoll.isAvailable()) {
            System.out.println("EPOLL UNAVAILABLE " + Epoll.unavailabilityCause());
            System.exit(3);
        }
        EventLoopGroup group = new EpollEventLoopGroup(1);
        Channel server = new ServerBootstrap().group(group).channel(EpollServerSocketChannel.class)
                .childHandler(new NettyNioApp.Greeter("netty-epoll"))
                .bind(Subject.port(args)).sync().channel();
        Subject.listening(((InetSocketAddress) server.localAddress()).getPort());
    }
}
