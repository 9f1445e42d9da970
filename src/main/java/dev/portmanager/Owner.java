package dev.portmanager;

import java.util.Optional;

/**
 * The process that holds an allocation, identified by pid and start time so that a recycled pid can never keep
 * a dead owner's claim alive.
 *
 * @param pid              operating-system process id
 * @param startEpochMillis the process start time as the kernel reports it (milliseconds since the epoch)
 */
public record Owner(long pid, long startEpochMillis) {
    /** Start times are derived from clock ticks and boot time; allow for rounding between readers. */
    private static final long START_TOLERANCE_MILLIS = 1000;

    private static volatile Owner current;
    /**
     * Recent answers of {@link #isAlive()}: asking the OS for a process's start time reads several /proc files,
     * and a scan over a busy range asks about the same few owners again and again. A death is noticed within
     * this long.
     */
    private static final long LIVENESS_CACHE_NANOS = 200_000_000L;
    private static final java.util.concurrent.ConcurrentHashMap<Owner, long[]> LIVENESS =
            new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * This JVM. Read from /proc on Linux: {@code ProcessHandle}'s first use starts the JDK's process-reaper
     * machinery (a thread pool and several lambdas), which the agent would pay on an app's first bind.
     */
    public static Owner current() {
        Owner o = current;
        if (o == null) {
            o = SelfProcess.read();
            if (o == null) {
                o = of(ProcessHandle.current());
            }
            current = o;
        }
        return o;
    }

    /** The owner record for a live process handle (its start time read from the OS). */
    public static Owner of(ProcessHandle handle) {
        long start = handle.info().startInstant().map(java.time.Instant::toEpochMilli).orElse(0L);
        return new Owner(handle.pid(), start);
    }

    /** True while the same process (same pid and start time) still runs on this host. */
    public boolean isAlive() {
        if (equals(current)) {
            return true; // this JVM: no need to ask the OS
        }
        long now = System.nanoTime();
        long[] cached = LIVENESS.get(this);
        if (cached != null && now - cached[1] < LIVENESS_CACHE_NANOS) {
            return cached[0] == 1;
        }
        boolean alive = askOs();
        if (LIVENESS.size() > 10_000) {
            LIVENESS.clear();
        }
        LIVENESS.put(this, new long[] {alive ? 1 : 0, now});
        return alive;
    }

    private boolean askOs() {
        Optional<ProcessHandle> handle = ProcessHandle.of(pid);
        if (handle.isEmpty() || !handle.get().isAlive()) {
            return false;
        }
        if (startEpochMillis == 0) {
            return true;
        }
        long start = handle.get().info().startInstant().map(java.time.Instant::toEpochMilli).orElse(0L);
        return start == 0 || Math.abs(start - startEpochMillis) <= START_TOLERANCE_MILLIS;
    }

    /*
     * Written out rather than left to the record: the generated equals/hashCode/toString bootstrap through
     * invokedynamic (java.lang.runtime.ObjectMethods, dozens of method-handle classes), and the state directory
     * compares owners on an app's first bind.
     */
    @Override
    public boolean equals(Object other) {
        return other instanceof Owner && ((Owner) other).pid == pid
                && ((Owner) other).startEpochMillis == startEpochMillis;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(pid) * 31 + Long.hashCode(startEpochMillis);
    }

    @Override
    public String toString() {
        return "Owner[pid=" + pid + ", startEpochMillis=" + startEpochMillis + "]";
    }

    /** A stable text form, used as the owner token in the registry: {@code pid@startMillis}. */
    public String token() {
        return pid + "@" + startEpochMillis;
    }
}
