package dev.portmanager.agent.weave;

/**
 * Which classes hold a server bind or its close path, decided from the class name alone (cheap enough to run
 * for every class the JVM loads). Netty classes match by suffix so that shaded copies
 * ({@code io/grpc/netty/shaded/io/netty/...}) are covered too.
 */
final class WeaveTargets {
    static final String SERVER_SOCKET = "java/net/ServerSocket";
    static final String SERVER_CHANNEL = "sun/nio/ch/ServerSocketChannelImpl";
    static final String ASYNC_SERVER_CHANNEL = "sun/nio/ch/AsynchronousServerSocketChannelImpl";

    private static final String[] NETTY_BIND_SUFFIXES = {
            "netty/channel/epoll/EpollServerSocketChannel",
            "netty/channel/uring/IoUringServerSocketChannel",
            "netty/incubator/channel/uring/IOUringServerSocketChannel",
    };
    private static final String[] NETTY_CLOSE_SUFFIXES = {
            "netty/channel/epoll/AbstractEpollChannel",
            "netty/channel/uring/AbstractIoUringChannel",
            "netty/incubator/channel/uring/AbstractIOUringChannel",
    };

    private WeaveTargets() {
    }

    /** The methods to rewrite in a class, or null when the class is not a target. */
    static WeavePlan planFor(String className) {
        if (className == null) {
            return null;
        }
        switch (className) {
            case SERVER_SOCKET:
                return new WeavePlan("bind", "(Ljava/net/SocketAddress;I)", "close");
            case SERVER_CHANNEL:
                return new WeavePlan("bind", "(Ljava/net/SocketAddress;I)", "implCloseSelectableChannel");
            case ASYNC_SERVER_CHANNEL:
                return new WeavePlan("bind", "(Ljava/net/SocketAddress;I)", "close");
            default:
                break;
        }
        if (className.indexOf("netty/") < 0) {
            return null;
        }
        for (String suffix : NETTY_BIND_SUFFIXES) {
            if (className.endsWith(suffix)) {
                return new WeavePlan("doBind", "(Ljava/net/SocketAddress;)", null);
            }
        }
        for (String suffix : NETTY_CLOSE_SUFFIXES) {
            if (className.endsWith(suffix)) {
                return new WeavePlan(null, null, "doClose");
            }
        }
        return null;
    }

    /** True for the JDK classes that may already be loaded when the agent starts. */
    static boolean isJdkTarget(String binaryName) {
        return binaryName.equals("java.net.ServerSocket") || binaryName.equals("sun.nio.ch.ServerSocketChannelImpl")
                || binaryName.equals("sun.nio.ch.AsynchronousServerSocketChannelImpl");
    }
}
