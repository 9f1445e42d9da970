package dev.portmanager.agent.subjects;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerSocketChannel;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;

/**
 * Binds a Netty epoll server on port 0 first (so Netty's epoll classes are loaded and in use), then waits for a
 * line on stdin before it binds its hardcoded port (args[0]): a test attaches the agent in between.
 */
public final class LateNettyApp {
    public static void main(String[] args) throws Exception {
        EventLoopGroup group = new EpollEventLoopGroup(1);
        ServerBootstrap bootstrap = new ServerBootstrap().group(group).channel(EpollServerSocketChannel.class)
                .childHandler(new NettyNioApp.Greeter("late-netty"));
        Channel early = bootstrap.bind(0).sync().channel();
        System.out.println("LOADED " + ((InetSocketAddress) early.localAddress()).getPort());
        System.out.flush();
        new BufferedReader(new InputStreamReader(System.in)).readLine();
        Channel server = bootstrap.bind(Subject.port(args)).sync().channel();
        Subject.listening(((InetSocketAddress) server.localAddress()).getPort());
    }
}
