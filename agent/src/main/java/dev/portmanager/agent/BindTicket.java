package dev.portmanager.agent;

import dev.portmanager.Allocation;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.HashSet;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * One managed bind in progress, as the java.base bridge sees it: the address to bind now ({@link #get}), what to
 * do when that bind fails ({@link #test}) and when it succeeds ({@link #accept}). JDK interfaces only, because
 * the rewritten JDK code cannot see agent types.
 */
final class BindTicket implements Supplier<SocketAddress>, Predicate<Throwable>, Consumer<Object> {
    /** Marks the thread while the nested (original) bind runs, so the bridge does not manage it a second time. */
    static final ThreadLocal<BindTicket> ACTIVE = new ThreadLocal<>();

    final BindHandler handler;
    final Object socket;
    final InetSocketAddress requested;
    final String endpoint;
    /** Ports whose bind failed because another socket held them. */
    final Set<Integer> failedPorts = new HashSet<>();
    /** The grant this bind uses, maybe with other sockets of this JVM. */
    SharedPort share;
    /** True when this bind leads its share (it got the grant); false when it joined another socket's port. */
    boolean leads;
    /** Another process's listening claim of this instance, shared with SO_REUSEPORT and taken over once bound. */
    Allocation peer;
    InetSocketAddress target;
    int retries;
    /** The first failure of this bind: what the application gets when a later attempt cannot even be made. */
    Throwable firstFailure;
    /** Set when the application must get {@link #firstFailure}: {@link #get} throws it into the bind's handler. */
    boolean rethrowFirst;

    BindTicket(BindHandler handler, Object socket, InetSocketAddress requested, String endpoint) {
        this.handler = handler;
        this.socket = socket;
        this.requested = requested;
        this.endpoint = endpoint;
        this.target = requested;
    }

    /** Binds the requested address at {@code port} next. */
    void aim(int port) {
        this.target = port == requested.getPort() ? requested : new InetSocketAddress(requested.getAddress(), port);
    }

    /**
     * The address for the next attempt. When the application must get the first failure instead (a bind that
     * failed in listen() leaves the socket bound, and a second bind would only say "Already bound"), this throws
     * it: the rewritten method's handler catches it, {@link #test} lets it through, and the method rethrows it.
     */
    @Override
    public SocketAddress get() {
        if (rethrowFirst) {
            throw BindTicket.<RuntimeException>unchecked(firstFailure);
        }
        ACTIVE.set(this);
        return target;
    }

    @SuppressWarnings("unchecked")
    private static <T extends Throwable> T unchecked(Throwable failure) throws T {
        throw (T) failure;
    }

    @Override
    public boolean test(Throwable failure) {
        ACTIVE.remove();
        return handler.retry(this, failure);
    }

    @Override
    public void accept(Object socket) {
        ACTIVE.remove();
        handler.bound(this, socket);
    }
}
