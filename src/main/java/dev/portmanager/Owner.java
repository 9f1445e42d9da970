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

    /** This JVM. */
    public static Owner current() {
        Owner o = current;
        if (o == null) {
            o = of(ProcessHandle.current());
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

    /** A stable text form, used as the owner token in the registry: {@code pid@startMillis}. */
    public String token() {
        return pid + "@" + startEpochMillis;
    }
}
