package dev.portmanager.agent.it;

/** One server stack and the subject app that uses it. */
enum Stack {
    SERVER_SOCKET("ServerSocketApp", false, false),
    SERVER_SOCKET_CHANNEL("ChannelApp", false, false),
    ASYNC_SERVER_SOCKET_CHANNEL("AsyncChannelApp", false, false),
    JDK_HTTP_SERVER("HttpServerApp", false, true),
    NETTY_NIO("NettyNioApp", true, false),
    NETTY_EPOLL("NettyEpollApp", true, false),
    NETTY_IO_URING("NettyIoUringApp", true, false);

    final String mainClass;
    final boolean needsNetty;
    final boolean http;

    Stack(String simpleName, boolean needsNetty, boolean http) {
        this.mainClass = "dev.portmanager.agent.subjects." + simpleName;
        this.needsNetty = needsNetty;
        this.http = http;
    }

    String classpath() {
        return needsNetty ? AgentJar.subjectsWithNetty() : AgentJar.subjects();
    }

    /**
     * JVM options for the subject: the given ones, plus, for Netty on JDK 22+, the app's own native-access grant
     * (without it the JDK warns about Netty's native library loading: the app's warning, not the agent's).
     */
    java.util.List<String> jvmOptions(Jdk jdk, String... extra) {
        java.util.List<String> options = new java.util.ArrayList<>(java.util.List.of(extra));
        if (needsNetty && jdk.feature() >= 22) {
            options.add("--enable-native-access=ALL-UNNAMED");
        }
        return options;
    }

    String serviceName() {
        return "legacy-" + name().toLowerCase().replace('_', '-');
    }
}
