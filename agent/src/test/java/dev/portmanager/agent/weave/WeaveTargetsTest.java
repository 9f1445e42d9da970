package dev.portmanager.agent.weave;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
    void clientDatagramAndUnixDomainClassesAreLeftAlone() {
        assertNull(WeaveTargets.planFor("java/net/Socket"));
        assertNull(WeaveTargets.planFor("sun/nio/ch/SocketChannelImpl"));
        assertNull(WeaveTargets.planFor("sun/nio/ch/DatagramChannelImpl"));
        assertNull(WeaveTargets.planFor("io/netty/channel/epoll/EpollSocketChannel"));
        assertNull(WeaveTargets.planFor("io/netty/channel/epoll/EpollServerDomainSocketChannel"));
        assertNull(WeaveTargets.planFor("io/netty/channel/socket/nio/NioServerSocketChannel"));
        assertNull(WeaveTargets.planFor(null));
    }

    @Test
    void aClassWithoutThePlannedMethodIsNotRewritten() throws Exception {
        byte[] bytes;
        try (var in = WeaveTargetsTest.class.getResourceAsStream("WeaveTargetsTest.class")) {
            bytes = in.readAllBytes();
        }
        assertNull(BindTransformer.rewrite("dev/portmanager/agent/weave/WeaveTargetsTest",
                new WeavePlan("bind", "(Ljava/net/SocketAddress;I)", "close"), bytes));
    }
}
