package dev.portmanager.agent.subjects;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;

import java.net.InetSocketAddress;

/**
 * Legacy stack: Netty NIO. Sticks to API that Netty 4.1 and 4.2 share, because the foreign-versions test runs
 * it on Netty 4.1 while the agent carries 4.2.
 */
public final class NettyNioApp {
    public static void main(String[] args) throws Exception {
        EventLoopGroup group = new NioEventLoopGroup(1);
        Channel server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new Greeter("netty-nio"))
                .bind(Subject.port(args)).sync().channel();
        Subject.listening(((InetSocketAddress) server.localAddress()).getPort());
        Versions.print();
    }

    /** Writes the greeting to every new connection and closes it. */
    static final class Greeter extends ChannelInitializer<SocketChannel> {
        private final String stack;

        Greeter(String stack) {
            this.stack = stack;
        }

        @Override
        protected void initChannel(SocketChannel ch) {
            ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                @Override
                public void channelActive(ChannelHandlerContext ctx) {
                    ctx.writeAndFlush(Unpooled.wrappedBuffer(Subject.greeting(stack)))
                            .addListener(ChannelFutureListener.CLOSE);
                }
            });
        }
    }
}
