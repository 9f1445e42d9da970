package dev.portmanager.agent;

import java.net.ServerSocket;
import java.net.StandardSocketOptions;
import java.nio.channels.NetworkChannel;

/** Whether a server socket about to bind has SO_REUSEPORT set (it may then share a port with another process). */
final class ReusePort {
    private ReusePort() {
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
