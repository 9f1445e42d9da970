package dev.portmanager.agent;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.SocketAddress;
import java.nio.channels.NetworkChannel;

/** Reads the port a just-bound server socket really got (needed for port-0 binds, where the OS chose). */
final class LocalPorts {
    private LocalPorts() {
    }

    /** The bound port, or 0 when it cannot be read. */
    static int of(Object socket) {
        try {
            if (socket instanceof ServerSocket) {
                return ((ServerSocket) socket).getLocalPort();
            }
            SocketAddress local;
            if (socket instanceof NetworkChannel) {
                local = ((NetworkChannel) socket).getLocalAddress();
            } else {
                // A Netty channel (maybe a shaded copy): its public localAddress() reads the address doBind stored.
                local = (SocketAddress) socket.getClass().getMethod("localAddress").invoke(socket);
            }
            return local instanceof InetSocketAddress ? ((InetSocketAddress) local).getPort() : 0;
        } catch (Exception | LinkageError e) {
            return 0;
        }
    }
}
