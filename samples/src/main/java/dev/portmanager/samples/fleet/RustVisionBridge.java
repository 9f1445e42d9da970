package dev.portmanager.samples.fleet;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;

import java.net.InetSocketAddress;

/** rust-vision-bridge: the image bridge, rewritten on Netty NIO long ago, still on its hardcoded 8084. */
public final class RustVisionBridge {
    private static final int PORT = 8084;

    public static void main(String[] args) throws InterruptedException {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        try {
            Channel server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                    .childHandler(new NettyHello("rust-vision-bridge", "Netty NIO"))
                    .bind(PORT).sync().channel();
            System.out.println("rust-vision-bridge listening on " + ((InetSocketAddress) server.localAddress()).getPort());
            server.closeFuture().sync();
        } finally {
            group.shutdownGracefully();
        }
    }
}
