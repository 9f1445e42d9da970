package dev.portmanager.samples.fleet;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/** The Netty pipeline both "rust" bridges share: HTTP codec, and one handler that answers every request. */
final class NettyHello extends ChannelInitializer<SocketChannel> {
    private final String service;
    private final String stack;

    NettyHello(String service, String stack) {
        this.service = service;
        this.stack = stack;
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(64 * 1024),
                new SimpleChannelInboundHandler<FullHttpRequest>() {
                    @Override
                    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
                        // The accepted channel's local address is the port the server really listens on.
                        int port = ((InetSocketAddress) ctx.channel().localAddress()).getPort();
                        byte[] body = (RawHttp.hello(service, stack, port) + "\n").getBytes(StandardCharsets.UTF_8);
                        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                                HttpResponseStatus.OK, Unpooled.wrappedBuffer(body));
                        response.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
                        response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
                        response.headers().set(HttpHeaderNames.CONNECTION, "close");
                        ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
                    }
                });
    }
}
