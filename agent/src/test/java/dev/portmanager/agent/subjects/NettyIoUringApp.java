package dev.portmanager.agent.subjects;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;

import java.net.InetSocketAddress;

/** Legacy stack: Netty 4.2's native io_uring transport (binds in native code, never through the JDK). */
public final class NettyIoUringApp {
    public static void main(String[] args) throws Exception {
        if (!IoUring.isAvailable()) {
            System.out.println("IO_URING UNAVAILABLE " + IoUring.unavailabilityCause());
            System.exit(3);
        }
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, IoUringIoHandler.newFactory());
        Channel server = new ServerBootstrap().group(group).channel(IoUringServerSocketChannel.class)
                .childHandler(new NettyNioApp.Greeter("netty-io_uring"))
                .bind(Subject.port(args)).sync().channel();
        Subject.listening(((InetSocketAddress) server.localAddress()).getPort());
    }
}
