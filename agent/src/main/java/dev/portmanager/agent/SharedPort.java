package dev.portmanager.agent;

import dev.portmanager.Allocation;

/**
 * One grant and the sockets of this JVM holding it. All binds of one requested port share the port granted to
 * the first (SO_REUSEPORT groups, one socket per Netty event loop, the same port on 127.0.0.1 and ::1); the
 * port is released when the last of them closes. Guarded by the {@link BindHandler}'s table of shares.
 */
final class SharedPort {
    /** The port the application asked for (0 for an OS-chosen port, never shared). */
    final int requestedPort;
    /** The current grant; null while a port-0 bind or an SO_REUSEPORT hand-over is in progress. */
    Allocation allocation;
    /** The port the sockets are bound on, once the first is. */
    int port;
    /** Sockets bound on it, plus binds that joined it and are in progress. */
    int holders = 1;
    /** True once a socket is bound on it: later binds of the requested port join it instead of allocating. */
    boolean listening;

    SharedPort(int requestedPort) {
        this.requestedPort = requestedPort;
    }
}
