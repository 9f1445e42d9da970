package dev.portmanager.watch;

import dev.portmanager.Allocation;
import dev.portmanager.Log;
import dev.portmanager.PortManager;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * A number that rises whenever an allocation appears, goes or changes in what a reader sees (service, address,
 * port, state, owner): the {@code X-PortManager-Index} of the API and the basis of blocking queries. Lease
 * renewals alone do not change it.
 *
 * <p>It reads its source every {@link #POLL_MILLIS} ms on one daemon thread, started on first use, and at once
 * when {@link #poke()}d. For the embedded store ({@link #of}) that is a read of the state directory, cheap, and a
 * change is seen well within a second. With Redis, this host's part is read the same way and the registry's part
 * ({@link RegistryPart}) only when Redis announces a change over pub/sub, which pokes the index: a change made on
 * another host wakes watchers as soon as its script ran. The first value is the start time in epoch milliseconds, so an index from before a
 * sidecar restart is almost surely lower than every index after it; clients treat the number as opaque.
 */
public final class ChangeIndex implements AutoCloseable {
    public static final long POLL_MILLIS = 200;

    private final Supplier<List<Allocation>> source;
    private final AutoCloseable part;
    private final Object lock = new Object();
    private long index;
    private List<List<Object>> seen;
    private Thread poller;
    private boolean closed;
    private boolean failing;
    private boolean poked;
    private volatile Consumer<List<Allocation>> listener = all -> { };

    /** An index over what {@code source} returns, read every {@link #POLL_MILLIS} ms. */
    public ChangeIndex(Supplier<List<Allocation>> source) {
        this(source, () -> { });
    }

    private ChangeIndex(Supplier<List<Allocation>> source, AutoCloseable part) {
        this.source = Objects.requireNonNull(source);
        this.part = part;
    }

    /**
     * The index of everything {@code pm} shows: its state directory, and with Redis the registry too, re-read when
     * Redis announces a change (falling back to a poll of its change count, see {@link RegistryPart}).
     */
    public static ChangeIndex of(PortManager pm) {
        if (!pm.config().usesRedis()) {
            return new ChangeIndex(pm::localAllocations);
        }
        RegistryPart registry = new RegistryPart(pm);
        ChangeIndex index = new ChangeIndex(() -> pm.allocations(pm.localAllocations(), registry.entries()),
                registry);
        registry.onAnnouncement(index::poke);
        return index;
    }

    /** Calls {@code listener} (on the poller thread) with what the source returned whenever the index rose. */
    public void onChange(Consumer<List<Allocation>> listener) {
        this.listener = Objects.requireNonNull(listener);
    }

    /** Reads the source now rather than at the next poll: something announced a change. */
    public void poke() {
        synchronized (lock) {
            poked = true;
            lock.notifyAll();
        }
    }

    /** The index now. */
    public long current() {
        start();
        synchronized (lock) {
            return index;
        }
    }

    /**
     * Returns as soon as the index differs from {@code known}, or when {@code wait} has passed: the index then.
     */
    public long await(long known, Duration wait) throws InterruptedException {
        start();
        long deadline = System.nanoTime() + wait.toNanos();
        synchronized (lock) {
            while (index == known && !closed) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                TimeUnit.NANOSECONDS.timedWait(lock, left);
            }
            return index;
        }
    }

    private void start() {
        synchronized (lock) {
            if (poller != null || closed) {
                return;
            }
            index = System.currentTimeMillis();
            seen = fingerprint(read());
            poller = new Thread(this::pollLoop, "portmanager-watch");
            poller.setDaemon(true);
            poller.start();
        }
    }

    private void pollLoop() {
        while (true) {
            synchronized (lock) {
                long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(POLL_MILLIS);
                long left;
                while (!poked && !closed && (left = deadline - System.nanoTime()) > 0) {
                    try {
                        TimeUnit.NANOSECONDS.timedWait(lock, left);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                if (closed) {
                    return;
                }
                poked = false;
            }
            List<Allocation> now = read();
            if (now == null) {
                continue;
            }
            List<List<Object>> print = fingerprint(now);
            synchronized (lock) {
                if (closed) {
                    return;
                }
                if (print.equals(seen)) {
                    continue;
                }
                seen = print;
                index++;
                lock.notifyAll();
            }
            try {
                listener.accept(now);
            } catch (RuntimeException e) {
                Log.warn("watch: a change listener failed: " + e);
            }
        }
    }

    /** The store's allocations, or null (logged once per outage) when it cannot be read now. */
    private List<Allocation> read() {
        try {
            List<Allocation> all = source.get();
            failing = false;
            return all;
        } catch (RuntimeException e) {
            if (!failing) {
                Log.warn("watch: cannot read the store (" + e.getMessage() + "); retrying every "
                        + POLL_MILLIS + " ms");
            }
            failing = true;
            return null;
        }
    }

    /** What a reader sees of each allocation, in a stable order; timestamps of lease renewals left out. */
    static List<List<Object>> fingerprint(List<Allocation> all) {
        List<List<Object>> out = new ArrayList<>();
        if (all == null) {
            return out;
        }
        for (Allocation a : all) {
            out.add(List.of(a.host(), a.port(), String.valueOf(a.service()), String.valueOf(a.endpoint()),
                    String.valueOf(a.type()), String.valueOf(a.advertised()), String.valueOf(a.state()), a.pid(),
                    a.generation(), a.requestedPort()));
        }
        out.sort((x, y) -> {
            int c = ((String) x.get(0)).compareTo((String) y.get(0));
            return c != 0 ? c : Integer.compare((Integer) x.get(1), (Integer) y.get(1));
        });
        return out;
    }

    @Override
    public void close() {
        Thread t;
        synchronized (lock) {
            closed = true;
            t = poller;
            lock.notifyAll();
        }
        if (t != null) {
            t.interrupt();
        }
        try {
            part.close();
        } catch (Exception e) {
            Log.warn("watch: closing the registry subscription failed: " + e.getMessage());
        }
    }
}
