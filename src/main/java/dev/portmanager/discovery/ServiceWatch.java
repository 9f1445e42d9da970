package dev.portmanager.discovery;

import dev.portmanager.Endpoint;
import dev.portmanager.Log;
import dev.portmanager.watch.EndpointKeys;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * One {@link DiscoveryClient#watch} in progress: a daemon thread that waits on the change index and calls the
 * listener with the service's live endpoints whenever they differ from the last call (first with the current
 * ones). A store that cannot be reached is retried every second. {@link #close()} ends it.
 */
public final class ServiceWatch implements AutoCloseable {
    /** The longest single wait; the thread re-checks after it even when nothing changed. */
    static final Duration WAIT = Duration.ofMinutes(5);
    private static final long RETRY_MILLIS = 1000;

    /** Waits for a change of the index after the given one; returns the new index. */
    interface Waiter {
        long await(long known, Duration wait);
    }

    private final Thread thread;
    private volatile boolean closed;

    ServiceWatch(String service, Function<String, List<Endpoint>> lookup, LongSupplier index, Waiter waiter,
                 Consumer<List<Endpoint>> listener) {
        thread = new Thread(() -> run(service, lookup, index, waiter, listener), "portmanager-watch-" + service);
        thread.setDaemon(true);
        thread.start();
    }

    private void run(String service, Function<String, List<Endpoint>> lookup, LongSupplier index, Waiter waiter,
                     Consumer<List<Endpoint>> listener) {
        Set<String> last = null;
        long known = -1;
        while (!closed) {
            try {
                long now = known < 0 ? index.getAsLong() : waiter.await(known, WAIT);
                if (closed) {
                    return;
                }
                known = now;
                List<Endpoint> endpoints = lookup.apply(service);
                Set<String> keys = EndpointKeys.of(endpoints);
                if (!keys.equals(last)) {
                    last = keys;
                    deliver(listener, endpoints);
                }
            } catch (RuntimeException e) {
                if (closed) {
                    return;
                }
                Log.warn("watch of '" + service + "': " + e.getMessage() + "; retrying in 1 s");
                known = -1;
                try {
                    Thread.sleep(RETRY_MILLIS);
                } catch (InterruptedException ie) {
                    return;
                }
            }
        }
    }

    private static void deliver(Consumer<List<Endpoint>> listener, List<Endpoint> endpoints) {
        try {
            listener.accept(endpoints);
        } catch (RuntimeException e) {
            Log.warn("a watch listener failed: " + e);
        }
    }

    /** Stops watching; the listener is not called after this returns (except a call already running). */
    @Override
    public void close() {
        closed = true;
        thread.interrupt();
    }
}
