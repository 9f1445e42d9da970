package dev.portmanager.agent.subjects;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerSocketChannel;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * Netty epoll with SO_REUSEPORT, one server channel per event loop (args[1] of them) on one hardcoded port
 * (args[0]), bound at once; then a bind on an address this host lacks (port args[2]). Prints {@code EPOLL} with
 * every channel's port and {@code EPOLLNOTAVAIL} with the second bind's failure.
 */
public final class EpollSharingApp {
    public static void main(String[] args) throws Exception {
        if (!Epoll.isAvailable()) {
            System.out.println("EPOLL UNAVAILABLE " + Epoll.unavailabilityCause());
            System.exit(3);
        }
        int loops = Integer.parseInt(args[1]);
        EventLoopGroup group = new EpollEventLoopGroup(loops);
        ServerBootstrap bootstrap = new ServerBootstrap().group(group).channel(EpollServerSocketChannel.class)
                .option(EpollChannelOption.SO_REUSEPORT, true)
                .childHandler(new NettyNioApp.Greeter("netty-epoll"));
        List<io.netty.channel.ChannelFuture> binds = new ArrayList<>();
        for (int i = 0; i < loops; i++) {
            binds.add(bootstrap.bind(Integer.parseInt(args[0])));
        }
        StringBuilder ports = new StringBuilder("EPOLL");
        for (io.netty.channel.ChannelFuture bind : binds) {
            Channel server = bind.sync().channel();
            ports.append(' ').append(((InetSocketAddress) server.localAddress()).getPort());
        }
        System.out.println(ports);
        try {
            bootstrap.bind(new InetSocketAddress(InetAddress.getByName("192.0.2.1"), Integer.parseInt(args[2]))).sync();
            System.out.println("EPOLLNOTAVAIL bound");
        } catch (Exception expected) {
            System.out.println("EPOLLNOTAVAIL " + expected);
        }
        System.out.flush();
    }
}
