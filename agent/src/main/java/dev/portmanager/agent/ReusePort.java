package dev.portmanager.agent;

import java.net.ServerSocket;
import java.net.StandardSocketOptions;
import java.nio.channels.NetworkChannel;

/** Whether a server socket about to bind has SO_REUSEPORT set (it may then share a port with another process). */
final class ReusePort {
    /**
     * The JDK classes whose static set-up the first socket-option query runs: the standard options, the table of
     * their native codes, and a server channel's supported options. None of them loads a class the agent rewrites.
     */
    static final String[] JDK_OPTION_TABLES = {
        "java.net.StandardSocketOptions",
        "sun.nio.ch.SocketOptionRegistry", // its table (below) does not load it; the option look-up does
        "sun.nio.ch.SocketOptionRegistry$LazyInitialization",
        "sun.nio.ch.ServerSocketChannelImpl$DefaultOptionsHolder",
    };

    private ReusePort() {
    }

    /**
     * Runs that set-up on the calling thread (the core's, while the app starts), so that the first bind's check does
     * not: 0.6-0.9 ms of an app's first decision (BENCHMARKS.md, "The first decision of an app that binds later").
     * Best effort: on a JDK laid out otherwise the check just pays it itself, as it did before.
     */
    static void warmUp() {
        for (String table : JDK_OPTION_TABLES) {
            try {
                Class.forName(table, true, null);
            } catch (ClassNotFoundException | LinkageError otherJdk) {
                // this JDK names or builds it otherwise
            }
        }
    }

    static boolean isSet(Object socket) {
        try {
            if (socket instanceof ServerSocket) {
                return Boolean.TRUE.equals(((ServerSocket) socket).getOption(StandardSocketOptions.SO_REUSEPORT));
            }
            if (socket instanceof NetworkChannel) {
                return Boolean.TRUE.equals(((NetworkChannel) socket).getOption(StandardSocketOptions.SO_REUSEPORT));
            }
            // A Netty native channel (maybe a shaded copy): its config says isReusePort().
            Object config = socket.getClass().getMethod("config").invoke(socket);
            return Boolean.TRUE.equals(config.getClass().getMethod("isReusePort").invoke(config));
        } catch (Exception | LinkageError unknown) {
            return false;
        }
    }
}
