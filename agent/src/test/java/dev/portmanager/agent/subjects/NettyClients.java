package dev.portmanager.agent.subjects;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringSocketChannel;

import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Netty 4.2 clients (NIO, epoll, io_uring): one GET, the body, and the peer port the channel reports. */
final class NettyClients {
    private NettyClients() {
    }

    static String get(String transport, InetSocketAddress to) throws Exception {
        EventLoopGroup group;
        Class<? extends Channel> type;
        switch (transport) {
            case "nio":
                group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
                type = NioSocketChannel.class;
                break;
            case "epoll":
                if (!Epoll.isAvailable()) {
                    return "UNAVAILABLE " + Epoll.unavailabilityCause();
                }
                group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
                type = EpollSocketChannel.class;
                break;
            default:
                if (!IoUring.isAvailable()) {
                    return "UNAVAILABLE " + IoUring.unavailabilityCause();
                }
                group = new MultiThreadIoEventLoopGroup(1, IoUringIoHandler.newFactory());
                type = IoUringSocketChannel.class;
                break;
        }
        try {
            CompletableFuture<String> body = new CompletableFuture<>();
            ByteArrayOutputStream received = new ByteArrayOutputStream();
            Channel ch = new Bootstrap().group(group).channel(type).handler(new ChannelInitializer<Channel>() {
                @Override
                protected void initChannel(Channel c) {
                    c.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                        @Override
                        public void channelActive(ChannelHandlerContext ctx) {
                            ctx.writeAndFlush(Unpooled.copiedBuffer(ConnectClientApp.REQUEST, StandardCharsets.US_ASCII));
                        }

                        @Override
                        public void channelRead(ChannelHandlerContext ctx, Object msg) {
                            ByteBuf buf = (ByteBuf) msg;
                            byte[] bytes = new byte[buf.readableBytes()];
                            buf.readBytes(bytes);
                            buf.release();
                            received.write(bytes, 0, bytes.length);
                        }

                        @Override
                        public void channelInactive(ChannelHandlerContext ctx) {
                            body.complete(ConnectClientApp.body(ConnectClientApp.text(received.toByteArray())));
                        }
                    });
                }
            }).connect(to).sync().channel();
            String remote = Integer.toString(((InetSocketAddress) ch.remoteAddress()).getPort());
            return body.get(10, TimeUnit.SECONDS) + " remote=" + remote;
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
    }
}
