package dev.portmanager.agent;

import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The bound server sockets the agent manages, each with the grant it holds, kept by identity and weakly: a socket
 * the application drops without closing it must not be kept alive by the agent. When the garbage collector
 * clears one, a daemon thread gives its hold back (the owner's {@code onCollected}).
 */
final class BoundSockets implements Runnable {
    private final Map<Key, SharedPort> bySocket = new HashMap<>();
    private final ReferenceQueue<Object> collected = new ReferenceQueue<>();
    private final Consumer<SharedPort> onCollected;
    private final ClassLoader agentLoader;
    private Thread reaper;

    BoundSockets(Consumer<SharedPort> onCollected, ClassLoader agentLoader) {
        this.onCollected = onCollected;
        this.agentLoader = agentLoader;
    }

    void put(Object socket, SharedPort share) {
        synchronized (bySocket) {
            bySocket.put(new Key(socket, collected, share), share);
            if (reaper == null) {
                reaper = new Thread(this, "portmanager-reaper");
                reaper.setDaemon(true);
                reaper.setContextClassLoader(agentLoader);
                reaper.start();
            }
        }
    }

    /** The share the socket held, now forgotten; null when the socket is not (or no longer) managed. */
    SharedPort remove(Object socket) {
        synchronized (bySocket) {
            return bySocket.remove(new Key(socket, null, null));
        }
    }

    @Override
    public void run() {
        while (true) {
            Key gone;
            try {
                gone = (Key) collected.remove();
            } catch (InterruptedException e) {
                continue; // nobody but the JVM stops this daemon
            }
            boolean held;
            synchronized (bySocket) {
                held = bySocket.remove(gone) != null;
            }
            if (held) {
                try {
                    onCollected.accept(gone.share);
                } catch (RuntimeException | Error ignored) {
                    // its lease runs out on its own
                }
            }
        }
    }

    /** A weak reference compared by the identity of its socket; a cleared one equals only itself. */
    private static final class Key extends WeakReference<Object> {
        private final int hash;
        final SharedPort share;

        Key(Object socket, ReferenceQueue<Object> queue, SharedPort share) {
            super(socket, queue);
            this.hash = System.identityHashCode(socket);
            this.share = share;
        }

        @Override
        public int hashCode() {
            return hash;
        }

        @Override
        public boolean equals(Object other) {
            if (this == other) {
                return true;
            }
            if (!(other instanceof Key)) {
                return false;
            }
            Object mine = get();
            return mine != null && mine == ((Key) other).get();
        }
    }
}
