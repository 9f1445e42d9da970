package dev.portmanager.registry;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The client-side estimate of Redis's clock, driven by a fake monotonic clock. */
class RedisClockTest {
    private final AtomicLong nanos = new AtomicLong(5_000_000_000L);
    private final RedisClock clock = new RedisClock(nanos::get);

    @Test
    void unknownUntilObserved() {
        assertEquals(-1, clock.now());
    }

    @Test
    void advancesWithTheMonotonicClockFromTheMidpointOfTheRoundTrip() {
        long before = clock.ticks();
        nanos.addAndGet(2_000_000); // a 2 ms round trip
        clock.observe(1_000_000L, before, clock.ticks());
        assertEquals(1_000_001L, clock.now(), "Redis answered at the midpoint, 1 ms ago");
        nanos.addAndGet(500_000_000);
        assertEquals(1_000_501L, clock.now());
    }

    @Test
    void aStaleOrResetSampleIsNotUsed() {
        long t = clock.ticks();
        clock.observe(42L, t, t);
        nanos.addAndGet(RedisClock.MAX_AGE_NANOS + 1);
        assertEquals(-1, clock.now());
        clock.observe(42L, clock.ticks(), clock.ticks());
        clock.reset();
        assertEquals(-1, clock.now());
    }
}
