package dev.portmanager.host;

/**
 * Keeps the caller's interrupt flag away from file and lock operations, and gives it back afterwards.
 *
 * <p>A {@code FileChannel} is interruptible: an operation started with the flag set (a worker after
 * {@code ExecutorService.shutdownNow()}) closes the channel for every thread of the JVM and fails. The state
 * directory's channel is shared by the whole JVM, so no operation may run with the flag set: it is cleared for the
 * operation and set again when done.
 */
final class Interrupts implements AutoCloseable {
    private boolean pending;

    private Interrupts(boolean pending) {
        this.pending = pending;
    }

    /** Clears the current thread's flag, remembering it. */
    static Interrupts cleared() {
        return new Interrupts(Thread.interrupted());
    }

    /** An interrupt arrived during the operation: remember it too, and clear it so the operation can go on. */
    void absorb() {
        if (Thread.interrupted()) {
            pending = true;
        }
    }

    @Override
    public void close() {
        absorb();
        if (pending) {
            Thread.currentThread().interrupt();
        }
    }
}
