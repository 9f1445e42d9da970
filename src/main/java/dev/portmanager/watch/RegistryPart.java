package dev.portmanager.watch;

import dev.portmanager.Allocation;
import dev.portmanager.PortManager;
import dev.portmanager.config.ConfigException;
import dev.portmanager.config.Durations;
import dev.portmanager.registry.RedisChangeFeed;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The Redis registry's part of what a watch sees, kept by {@link ChangeIndex}'s poller and re-read only when it
 * may have changed: at once when the registry announces a change over pub/sub ({@link RedisChangeFeed}), and as
 * a fallback when the change count, polled with one GET, differs from the one last read. The poll runs every
 * second while no subscription is up (not yet, Redis down, a user not allowed to subscribe), so changes are still
 * seen within a second, and every five seconds while one is (system property {@value #POLL_PROPERTY}), as a
 * safety net: a renewed subscription itself triggers a re-read, for what was missed while it was down. Entries whose lease runs
 * out are gone from the registry without any script running, so it is also re-read when the earliest lease seen
 * ends. A registry that cannot be read keeps its last entries (an outage is not a change) and is tried again at
 * the next poll.
 */
final class RegistryPart implements AutoCloseable {
    /**
     * The poll of the change count while subscribed, by default: a safety net only (a connection that looks open
     * but is not), since pub/sub tells of every change and a renewed subscription triggers a re-read.
     */
    static final Duration DEFAULT_POLL = Duration.ofSeconds(5);
    /** The poll while no subscription is up (none yet, Redis down, channel not allowed): changes seen within 1 s. */
    static final long UNSUBSCRIBED_POLL_MILLIS = 1000;
    /** The system property that sets another poll while subscribed (tests set it long, to see pub/sub at work). */
    static final String POLL_PROPERTY = "portmanager.watchPoll";

    private final PortManager pm;
    private final long pollMillis = pollMillis();
    private volatile Runnable wake = () -> { };
    private final AtomicBoolean announced = new AtomicBoolean(true); // true: read at the first call

    // the poller thread's own
    private List<Allocation> entries = List.of();
    private long mark = Long.MIN_VALUE;
    private long nextPoll = System.nanoTime();
    private long firstLeaseEnd = Long.MAX_VALUE;
    private RedisChangeFeed feed;
    private boolean closed;

    RegistryPart(PortManager pm) {
        this.pm = pm;
    }

    /** Who to wake when a change is announced (the index's poller). */
    void onAnnouncement(Runnable wake) {
        this.wake = wake;
    }

    /** The registry's entries as last read, re-read first when they may have changed (see the class comment). */
    synchronized List<Allocation> entries() {
        if (closed) {
            return entries;
        }
        long now = System.nanoTime();
        boolean message = announced.getAndSet(false);
        boolean poll = now - nextPoll >= 0;
        boolean leaseEnded = System.currentTimeMillis() >= firstLeaseEnd;
        if (!message && !poll && !leaseEnded) {
            return entries;
        }
        if (poll) {
            nextPoll = now + TimeUnit.MILLISECONDS.toNanos(UNSUBSCRIBED_POLL_MILLIS);
        }
        long count = pm.registryChangeMark(); // -1: no client yet, or Redis unreachable
        if (count == -1) {
            retrySoon(now);
            return entries;
        }
        if (subscribed() && poll) {
            nextPoll = now + TimeUnit.MILLISECONDS.toNanos(pollMillis);
        }
        if (!message && !leaseEnded && count == mark) {
            return entries;
        }
        try {
            entries = pm.registryEntries();
            mark = count;
            firstLeaseEnd = firstLeaseEnd(entries);
        } catch (RuntimeException e) {
            // unreadable now (logged by the registry link): keep the last entries, try again within a second
            retrySoon(now);
        }
        return entries;
    }

    /** A read that failed (an announcement it answered included) is tried again within a second, not a poll. */
    private void retrySoon(long now) {
        long soon = now + TimeUnit.MILLISECONDS.toNanos(UNSUBSCRIBED_POLL_MILLIS);
        if (nextPoll - soon > 0) {
            nextPoll = soon;
        }
    }

    /**
     * Whether the subscription is up; starts or repairs it when not. The registry was just reached, so a cluster
     * has been recognised.
     */
    private boolean subscribed() {
        if (feed == null) {
            feed = pm.registryChangeFeed(this::announced).orElse(null);
        }
        return feed != null && feed.ensure();
    }

    private void announced() {
        announced.set(true);
        wake.run();
    }

    /**
     * When the earliest lease among {@code all} ends, by this host's clock (deadlines are Redis time: a skewed clock
     * only makes the re-read early or late). One already over is looked at again at the next poll, not at once.
     */
    private long firstLeaseEnd(List<Allocation> all) {
        long now = System.currentTimeMillis();
        long first = Long.MAX_VALUE;
        for (Allocation a : all) {
            if (a.leaseUntil() > 0) {
                first = Math.min(first, a.leaseUntil());
            }
        }
        return first <= now ? now + UNSUBSCRIBED_POLL_MILLIS : first;
    }

    private static long pollMillis() {
        String value = System.getProperty(POLL_PROPERTY);
        if (value == null || value.isBlank()) {
            return DEFAULT_POLL.toMillis();
        }
        try {
            Duration d = Durations.parse(value.trim());
            if (!d.isZero()) {
                return d.toMillis();
            }
        } catch (IllegalArgumentException e) {
            // reported below
        }
        throw new ConfigException("-D" + POLL_PROPERTY + "=" + value + " is not a positive duration: expected "
                + "e.g. 500ms, 1s, 10m");
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (feed != null) {
            feed.close();
        }
    }
}
