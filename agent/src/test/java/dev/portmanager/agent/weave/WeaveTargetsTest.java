package dev.portmanager.agent.weave;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WeaveTargetsTest {
    @Test
    void jdkServerBindsAndTheirClosePaths() {
        WeavePlan socket = WeaveTargets.planFor("java/net/ServerSocket");
        assertTrue(socket.isBind("bind", "(Ljava/net/SocketAddress;I)V"));
        assertTrue(socket.isClose("close", "()V"));
        WeavePlan channel = WeaveTargets.planFor("sun/nio/ch/ServerSocketChannelImpl");
        assertTrue(channel.isBind("bind", "(Ljava/net/SocketAddress;I)Ljava/nio/channels/ServerSocketChannel;"));
        assertTrue(channel.isClose("implCloseSelectableChannel", "()V"));
        assertNotNull(WeaveTargets.planFor("sun/nio/ch/AsynchronousServerSocketChannelImpl"));
    }

    @Test
    void nettyMatchesBySuffixSoShadedCopiesCount() {
        assertEquals("doBind", WeaveTargets.planFor("io/netty/channel/epoll/EpollServerSocketChannel").bindMethod());
        assertEquals("doBind", WeaveTargets.planFor(
                "io/grpc/netty/shaded/io/netty/channel/epoll/EpollServerSocketChannel").bindMethod());
        assertEquals("doBind", WeaveTargets.planFor("io/netty/channel/uring/IoUringServerSocketChannel").bindMethod());
        assertEquals("doClose", WeaveTargets.planFor("io/netty/channel/epoll/AbstractEpollChannel").closeMethod());
    }

    @Test
    void clientConnectsOnePointPerLayer() {
        assertTrue(WeaveTargets.planFor("sun/nio/ch/NioSocketImpl").isConnect("connect", "(Ljava/net/SocketAddress;I)V"));
        assertFalse(WeaveTargets.planFor("sun/nio/ch/NioSocketImpl").isConnect("connect", "(Ljava/lang/String;I)V"));
        WeavePlan channel = WeaveTargets.planFor("sun/nio/ch/SocketChannelImpl");
        assertTrue(channel.isConnect("connect", "(Ljava/net/SocketAddress;)Z"));
        assertTrue(channel.isConnect("blockingConnect", "(Ljava/net/SocketAddress;J)V"));
        assertFalse(channel.isConnect("finishConnect", "()Z"));
        assertTrue(WeaveTargets.planFor("sun/nio/ch/UnixAsynchronousSocketChannelImpl").isConnect("implConnect",
                "(Ljava/net/SocketAddress;Ljava/lang/Object;Ljava/nio/channels/CompletionHandler;)Ljava/util/concurrent/Future;"));
        WeavePlan epoll = WeaveTargets.planFor("io/grpc/netty/shaded/io/netty/channel/epoll/AbstractEpollChannel");
        assertTrue(epoll.isConnect("doConnect", "(Ljava/net/SocketAddress;Ljava/net/SocketAddress;)Z"));
        assertTrue(epoll.isClose("doClose", "()V"));
        assertTrue(WeaveTargets.planFor("io/netty/channel/uring/AbstractIoUringChannel$AbstractUringUnsafe")
                .isConnect("connect", "(Ljava/net/SocketAddress;Ljava/net/SocketAddress;Lio/netty/channel/ChannelPromise;)V"));
        // Netty NIO connects through SocketChannelImpl: nothing of its own is rewritten (one interception per layer).
        assertNull(WeaveTargets.planFor("io/netty/channel/socket/nio/NioSocketChannel"));
        assertNull(WeaveTargets.planFor("java/net/Socket"));
    }

    @Test
    void clientDatagramAndUnixDomainClassesAreLeftAlone() {
        assertNull(WeaveTargets.planFor("java/net/Socket"));
        assertNull(WeaveTargets.planFor("sun/nio/ch/DatagramChannelImpl"));
        assertNull(WeaveTargets.planFor("io/netty/channel/epoll/EpollSocketChannel"));
        assertNull(WeaveTargets.planFor("io/netty/channel/epoll/EpollServerDomainSocketChannel"));
        assertNull(WeaveTargets.planFor("io/netty/channel/socket/nio/NioServerSocketChannel"));
        assertNull(WeaveTargets.planFor(null));
    }

    @Test
    void theLoaderNarrowsTheTargetsTheJdksAreTheBootLoaders() {
        assertNotNull(WeaveTargets.planFor("sun/nio/ch/NioSocketImpl", true));
        assertNull(WeaveTargets.planFor("sun/nio/ch/NioSocketImpl", false), "a look-alike of another loader");
        assertNotNull(WeaveTargets.planFor("io/netty/channel/epoll/AbstractEpollChannel", false));
        assertNotNull(WeaveTargets.planFor("io/netty/channel/epoll/AbstractEpollChannel", true),
                "Netty on the boot class path");
        assertNull(WeaveTargets.planFor("java/net/Socket", true));

        // The agent's look at the classes loaded before it: binary names, the same answers.
        assertTrue(WeaveTargets.isTarget("java.net.ServerSocket", true));
        assertFalse(WeaveTargets.isTarget("java.net.ServerSocket", false));
        assertTrue(WeaveTargets.isTarget("sun.nio.ch.UnixAsynchronousSocketChannelImpl", true));
        assertTrue(WeaveTargets.isTarget("io.grpc.netty.shaded.io.netty.channel.epoll.EpollServerSocketChannel",
                false));
        assertTrue(WeaveTargets.isTarget("io.netty.channel.uring.AbstractIoUringChannel$AbstractUringUnsafe", true));
        assertFalse(WeaveTargets.isTarget("io.netty.channel.socket.nio.NioSocketChannel", false));
        assertFalse(WeaveTargets.isTarget("java.lang.String", true));
        assertFalse(WeaveTargets.isTarget("sun.nio.ch.DatagramChannelImpl", true));
    }

    @Test
    void aClassWithoutThePlannedMethodIsNotRewritten() throws Exception {
        byte[] bytes;
        try (var in = WeaveTargetsTest.class.getResourceAsStream("WeaveTargetsTest.class")) {
            bytes = in.readAllBytes();
        }
        assertNull(ClassRewriter.rewrite("dev/portmanager/agent/weave/WeaveTargetsTest",
                new WeavePlan("bind", "(Ljava/net/SocketAddress;I)", "close"), bytes));
    }
}
