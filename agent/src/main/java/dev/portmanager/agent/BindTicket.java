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
    final InetSocketAddress requested;
    final String endpoint;
    /** Ports whose bind failed because another process took them first. */
    final Set<Integer> failedPorts = new HashSet<>();
    /** The current grant; null for a port-0 bind (the OS chooses, registered afterwards). */
    Allocation allocation;
    InetSocketAddress target;
    int retries;

    BindTicket(BindHandler handler, InetSocketAddress requested, String endpoint, Allocation allocation) {
        this.handler = handler;
        this.requested = requested;
        this.endpoint = endpoint;
        grant(allocation);
    }

    void grant(Allocation granted) {
        this.allocation = granted;
        this.target = granted == null || granted.port() == requested.getPort()
                ? requested : new InetSocketAddress(requested.getAddress(), granted.port());
    }

    @Override
    public SocketAddress get() {
        ACTIVE.set(this);
        return target;
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
