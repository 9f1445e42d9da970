import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioServerSocketChannel;

import java.net.InetSocketAddress;

/** Start-up benchmark subject: a Netty NIO server on its hardcoded port (args[0]); reports, exits. */
public final class NettyServer {
    public static void main(String[] args) throws Exception {
        EventLoopGroup group = new NioEventLoopGroup(1);
        Channel server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInboundHandlerAdapter())
                .bind(Integer.parseInt(args[0])).sync().channel();
        Report.listening(((InetSocketAddress) server.localAddress()).getPort());
        System.exit(0);
    }
}
