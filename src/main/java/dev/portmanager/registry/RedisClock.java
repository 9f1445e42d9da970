package dev.portmanager.registry;

import java.util.function.LongSupplier;

/**
 * An estimate of Redis's clock on this client, so that a lookup can filter by deadline without asking Redis for
 * {@code TIME} inside the script (a third of a lookup's server-side cost).
 *
 * <p>Deadlines are written in Redis time by the publish script; a read only needs "now" in the same time. Each
 * sample pairs a Redis time with the local monotonic clock taken around the round trip that produced it (the
 * midpoint, so the error is at most half a round trip); the estimate then advances with the monotonic clock, which
 * NTP steps cannot move. Samples come for free with every publish reply, and from a {@code TIME} round trip when
 * the last one is older than {@link #MAX_AGE_NANOS} (a process that only reads pays that once in a while). A few
 * milliseconds of error are irrelevant against leases of seconds.
 */
final class RedisClock {
    /** A sample older than this is refreshed before use, bounding drift between the two clocks. */
    static final long MAX_AGE_NANOS = 10_000_000_000L;

    private final LongSupplier nanoTime;
    private volatile Sample sample;

    RedisClock() {
        this(System::nanoTime);
    }

    RedisClock(LongSupplier nanoTime) {
        this.nanoTime = nanoTime;
    }

    private record Sample(long redisMillis, long atNanos) {
    }

    /** The local monotonic time, to take before and after a round trip that returns Redis's time. */
    long ticks() {
        return nanoTime.getAsLong();
    }

    /** Records that Redis said {@code redisMillis} during a round trip between two {@link #ticks()}. */
    void observe(long redisMillis, long beforeTicks, long afterTicks) {
        sample = new Sample(redisMillis, beforeTicks + (afterTicks - beforeTicks) / 2);
    }

    /** Redis's time now, or -1 when there is no sample fresh enough (ask Redis, then {@link #observe}). */
    long now() {
        Sample s = sample;
        if (s == null) {
            return -1;
        }
        long age = nanoTime.getAsLong() - s.atNanos;
        if (age > MAX_AGE_NANOS || age < 0) {
            return -1;
        }
        return s.redisMillis + age / 1_000_000;
    }

    /** Forgets the sample: after reconnecting, Redis may be another server with another clock. */
    void reset() {
        sample = null;
    }
}
