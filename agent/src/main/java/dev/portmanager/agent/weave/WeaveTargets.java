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
    /** java.net.Socket's implementation: every Socket.connect overload ends in its connect(SocketAddress, int). */
    static final String SOCKET_IMPL = "sun/nio/ch/NioSocketImpl";
    /** SocketChannel: connect() (JDK HttpClient, Netty NIO), blockingConnect() (its socket() adaptor). */
    static final String SOCKET_CHANNEL = "sun/nio/ch/SocketChannelImpl";
    static final String ASYNC_SOCKET_CHANNEL = "sun/nio/ch/UnixAsynchronousSocketChannelImpl";

    /** The remote-address-first descriptor start shared by Netty's native client connects. */
    private static final String NETTY_CONNECT = "(Ljava/net/SocketAddress;Ljava/net/SocketAddress;";

    private static final String[] NETTY_BIND_SUFFIXES = {
            "netty/channel/epoll/EpollServerSocketChannel",
            "netty/channel/uring/IoUringServerSocketChannel",
            "netty/incubator/channel/uring/IOUringServerSocketChannel",
    };
    /** Epoll's doConnect (TCP, datagram and domain channels all pass here; the agent redirects TCP only). */
    private static final String EPOLL_CHANNEL = "netty/channel/epoll/AbstractEpollChannel";
    /** io_uring (4.2) connects in its unsafe, which then submits the connect to the ring. */
    private static final String IO_URING_UNSAFE = "netty/channel/uring/AbstractIoUringChannel$AbstractUringUnsafe";
    private static final String[] NETTY_CLOSE_SUFFIXES = {
            "netty/channel/uring/AbstractIoUringChannel",
            "netty/incubator/channel/uring/AbstractIOUringChannel",
    };

    private WeaveTargets() {
    }

    /** The methods to rewrite in a class, or null when the class is not a target; from its name alone. */
    static WeavePlan planFor(String className) {
        return planFor(className, true);
    }

    /**
     * The methods to rewrite in a class, or null when the class is not a target. The JDK's targets are the boot
     * loader's, and Netty is the boot loader's only when put on the boot class path: knowing the loader spares
     * every other class the scan for "netty/". It runs for every class the JVM loads, so it neither hashes nor
     * scans the name of a JDK class: those loops, run for each of hundreds of classes at start-up, are what make
     * the JIT compile string methods while the app starts (measured: agent/bench/threads.sh, BENCHMARKS.md).
     */
    static WeavePlan planFor(String className, boolean bootLoaded) {
        if (className == null) {
            return null;
        }
        if (bootLoaded) {
            WeavePlan jdk = jdkPlan(className);
            if (jdk != null || isJdkPackage(className)) {
                return jdk;
            }
        }
        return nettyPlan(className);
    }

    /** Equality tests, not a string switch: a switch hashes the whole name first, and these fail on its length. */
    private static WeavePlan jdkPlan(String className) {
        if (className.equals(SERVER_SOCKET)) {
            return new WeavePlan("bind", "(Ljava/net/SocketAddress;I)", "close");
        }
        if (className.equals(SERVER_CHANNEL)) {
            return new WeavePlan("bind", "(Ljava/net/SocketAddress;I)", "implCloseSelectableChannel");
        }
        if (className.equals(ASYNC_SERVER_CHANNEL)) {
            return new WeavePlan("bind", "(Ljava/net/SocketAddress;I)", "close");
        }
        if (className.equals(SOCKET_IMPL)) {
            return WeavePlan.connects("connect(Ljava/net/SocketAddress;I)");
        }
        if (className.equals(SOCKET_CHANNEL)) {
            return WeavePlan.connects("connect(Ljava/net/SocketAddress;)",
                    "blockingConnect(Ljava/net/SocketAddress;J)");
        }
        if (className.equals(ASYNC_SOCKET_CHANNEL)) {
            return WeavePlan.connects("implConnect(Ljava/net/SocketAddress;");
        }
        return null;
    }

    /** The JDK's own packages, where no copy of Netty lives (the prefix test stops at the first differing char). */
    private static boolean isJdkPackage(String className) {
        return className.startsWith("java/") || className.startsWith("sun/") || className.startsWith("jdk/");
    }

    private static WeavePlan nettyPlan(String className) {
        if (className.indexOf("netty/") < 0) {
            return null;
        }
        for (String suffix : NETTY_BIND_SUFFIXES) {
            if (className.endsWith(suffix)) {
                return new WeavePlan("doBind", "(Ljava/net/SocketAddress;)", null);
            }
        }
        if (className.endsWith(EPOLL_CHANNEL)) {
            return new WeavePlan(null, null, "doClose", "doConnect" + NETTY_CONNECT);
        }
        if (className.endsWith(IO_URING_UNSAFE)) {
            return WeavePlan.connects("connect" + NETTY_CONNECT);
        }
        for (String suffix : NETTY_CLOSE_SUFFIXES) {
            if (className.endsWith(suffix)) {
                return new WeavePlan(null, null, "doClose");
            }
        }
        return null;
    }

    /**
     * True for a class this transformer rewrites, by binary name ({@code java.net.ServerSocket}) and whether the boot
     * loader loaded it: {@link #planFor(String, boolean)}'s answer, spelled for the agent's look at the classes
     * loaded before it (hundreds of them at premain, so a JDK class is let go without a scan or a copy of its name).
     */
    static boolean isTarget(String binaryName, boolean bootLoaded) {
        if (isJdkTarget(binaryName)) {
            return bootLoaded;
        }
        if (bootLoaded && (binaryName.startsWith("java.") || binaryName.startsWith("sun.")
                || binaryName.startsWith("jdk."))) {
            return false;
        }
        return binaryName.indexOf("netty.") >= 0 && planFor(binaryName.replace('.', '/'), bootLoaded) != null;
    }

    private static boolean isJdkTarget(String binaryName) {
        return binaryName.equals("java.net.ServerSocket") || binaryName.equals("sun.nio.ch.ServerSocketChannelImpl")
                || binaryName.equals("sun.nio.ch.AsynchronousServerSocketChannelImpl")
                || binaryName.equals("sun.nio.ch.NioSocketImpl") || binaryName.equals("sun.nio.ch.SocketChannelImpl")
                || binaryName.equals("sun.nio.ch.UnixAsynchronousSocketChannelImpl");
    }
}
