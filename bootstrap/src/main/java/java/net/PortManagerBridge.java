package java.net;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * The only PortManager class that lives in java.base. Rewritten server-bind methods (in java.net, sun.nio.ch and
 * Netty) call these static methods; the agent installs its handlers here at start-up. Everything is typed with
 * JDK types because code in java.base cannot see the agent's class loader.
 *
 * <p>A rewritten {@code bind(address, ...)} runs:
 * <pre>
 *   ticket = enter(this, address);              // null: not ours, run the original body unchanged
 *   loop: try { bind(address(ticket), ...) }    // nested call; enter() returns null inside it
 *         catch (Throwable t) { if (retry(ticket, t)) continue loop; throw t; }
 *   bound(ticket, this);
 * </pre>
 * A ticket is an agent object implementing {@code Supplier<SocketAddress>} (the address to bind now),
 * {@code Predicate<Throwable>} (true: a next port was allocated, bind again) and {@code Consumer<Object>}
 * (the bind succeeded). Nothing here may throw into the application's bind path: every handler call is guarded.
 */
public final class PortManagerBridge {
    private static volatile BiFunction<Object, Object, Object> enterHandler;
    /**
     * Objects every copy of the PortManager core in this JVM shares, whatever class loader loaded it (the agent's,
     * the app's own): the state directory's one claims-file channel and its lock tables. Values are JDK types.
     */
    private static final ConcurrentMap<String, Object> SHARED = new ConcurrentHashMap<>();
    private static volatile Consumer<Object> closeHandler;

    private PortManagerBridge() {
    }

    /**
     * Installs the agent's handlers once; later calls are refused (false) so that nothing else can take the hooks
     * over, and a second copy of the agent in the same JVM knows to stand down.
     */
    public static synchronized boolean install(BiFunction<Object, Object, Object> enter, Consumer<Object> close) {
        if (enterHandler != null || closeHandler != null) {
            return false;
        }
        closeHandler = close;
        enterHandler = enter;
        return true;
    }

    /** The JVM-wide table the core copies share (see {@code dev.portmanager.host.SharedClaimsFile}). */
    public static ConcurrentMap<String, Object> shared() {
        return SHARED;
    }

    /**
     * Makes a file channel ignore thread interrupts (an interrupted thread would otherwise close it for every user
     * in the JVM). Only code in java.base may call {@code sun.nio.ch.FileChannelImpl#setUninterruptible}; false when
     * this JDK's channel has no such switch.
     */
    public static boolean uninterruptible(java.nio.channels.FileChannel channel) {
        try {
            if (channel instanceof sun.nio.ch.FileChannelImpl) {
                ((sun.nio.ch.FileChannelImpl) channel).setUninterruptible();
                return true;
            }
        } catch (Throwable ignored) {
            // not this JDK's shape: the core's own interrupt handling still applies
        }
        return false;
    }

    /** A ticket when the agent manages this bind, else null (also for null and non-IP addresses). */
    public static Object enter(Object socket, SocketAddress requested) {
        BiFunction<Object, Object, Object> handler = enterHandler;
        if (handler == null || !(requested instanceof InetSocketAddress)) {
            return null;
        }
        try {
            return handler.apply(socket, requested);
        } catch (Throwable failure) {
            return null;
        }
    }

    @SuppressWarnings("unchecked")
    public static SocketAddress address(Object ticket) {
        return ((Supplier<SocketAddress>) ticket).get();
    }

    /** True when the bind should be tried again at {@link #address(Object)}; false rethrows the failure. */
    @SuppressWarnings("unchecked")
    public static boolean retry(Object ticket, Throwable failure) {
        try {
            return ((Predicate<Throwable>) ticket).test(failure);
        } catch (Throwable ignored) {
            return false;
        }
    }

    @SuppressWarnings("unchecked")
    public static void bound(Object ticket, Object socket) {
        try {
            ((Consumer<Object>) ticket).accept(socket);
        } catch (Throwable ignored) {
            // registration is best effort; the socket is bound either way
        }
    }

    /** Called at the start of a server socket's close path. */
    public static void closed(Object socket) {
        Consumer<Object> handler = closeHandler;
        if (handler != null) {
            try {
                handler.accept(socket);
            } catch (Throwable ignored) {
                // release is best effort; the lease expires otherwise
            }
        }
    }
}
