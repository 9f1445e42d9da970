package dev.portmanager.http;

import dev.portmanager.Allocation;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * Reads the registry for the sidecar's views without letting a sick registry hold a request: one read at a time
 * runs on a thread of its own, every request that arrives meanwhile shares it, and a request waits for it only
 * until {@code patience} after that read began. A read that fails or is late leaves the answer with the last
 * entries read (or none), marked stale; local views never wait on it at all.
 */
final class RegistryReads implements AutoCloseable {
    /** The registry part of one answer. */
    record Snapshot(List<Allocation> entries, RegistryStatus status) {
    }

    private final Supplier<List<Allocation>> read;
    private final long patienceNanos;
    private final ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "portmanager-registry-read");
        t.setDaemon(true);
        return t;
    });
    private CompletableFuture<List<Allocation>> inFlight;
    private long inFlightSince;
    private volatile List<Allocation> lastEntries = List.of();
    private volatile long lastReadAt;
    private volatile String lastFailure;

    RegistryReads(Supplier<List<Allocation>> read, Duration patience) {
        this.read = read;
        this.patienceNanos = patience.toNanos();
    }

    /** The registry part, waiting at most until {@code patience} after the current read began. */
    Snapshot read() {
        CompletableFuture<List<Allocation>> future;
        long since;
        synchronized (this) {
            future = startIfIdle();
            since = inFlightSince;
        }
        long wait = since + patienceNanos - System.nanoTime();
        try {
            return fresh(future.get(Math.max(0, wait), TimeUnit.NANOSECONDS));
        } catch (TimeoutException e) {
            return stale("the registry did not answer within " + Duration.ofNanos(patienceNanos).toMillis()
                    + " ms");
        } catch (ExecutionException | CompletionException e) {
            return stale(reason(e.getCause()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return stale("interrupted while reading the registry");
        }
    }

    /** The last outcome without waiting (a read is started if none runs): for {@code /health}. */
    Snapshot peek() {
        CompletableFuture<List<Allocation>> future;
        synchronized (this) {
            future = startIfIdle();
        }
        if (future.isDone() && !future.isCompletedExceptionally()) {
            return fresh(future.join());
        }
        if (lastFailure != null) {
            return stale(lastFailure);
        }
        return new Snapshot(lastEntries, new RegistryStatus(lastReadAt == 0 ? "pending" : "fresh", null,
                lastReadAt));
    }

    private CompletableFuture<List<Allocation>> startIfIdle() {
        if (inFlight == null || inFlight.isDone()) {
            inFlightSince = System.nanoTime();
            CompletableFuture<List<Allocation>> f = CompletableFuture.supplyAsync(read, thread);
            f.whenComplete((entries, failure) -> {
                if (failure == null) {
                    lastEntries = List.copyOf(entries);
                    lastReadAt = System.currentTimeMillis();
                    lastFailure = null;
                } else {
                    lastFailure = reason(failure instanceof CompletionException c ? c.getCause() : failure);
                }
            });
            inFlight = f;
        }
        return inFlight;
    }

    private Snapshot fresh(List<Allocation> entries) {
        return new Snapshot(entries, new RegistryStatus("fresh", null, System.currentTimeMillis()));
    }

    private Snapshot stale(String why) {
        return new Snapshot(lastEntries, new RegistryStatus("stale", why, lastReadAt));
    }

    private static String reason(Throwable t) {
        String m = t == null ? null : t.getMessage();
        return "registry unreadable: " + Validation.printable(m == null ? String.valueOf(t) : m);
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }
}
