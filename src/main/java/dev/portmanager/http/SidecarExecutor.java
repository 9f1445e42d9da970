package dev.portmanager.http;

import java.lang.reflect.Method;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The threads that read and serve requests. The JDK server reads a request's headers on the worker thread, so
 * a client that sends its headers slowly holds a worker until the request-read timeout ends it: with a handful
 * of workers, a few dozen such clients stall every other request. So on JDK 21+ each request gets a virtual
 * thread; before that, a pool that grows to {@link #MAX_IN_FLIGHT} threads. Either way at most MAX_IN_FLIGHT
 * requests are in progress; the server closes a connection beyond that instead of queueing it.
 */
final class SidecarExecutor {
    /** Requests read or served at once; more are refused (connection closed) rather than queued. */
    static final int MAX_IN_FLIGHT = 256;
    private static final int CORE_THREADS = 8;

    private SidecarExecutor() {
    }

    /** The executor to give the server, and to shut down at close. */
    static ExecutorService create() {
        ExecutorService threads = virtualThreads();
        if (threads == null) {
            AtomicInteger n = new AtomicInteger();
            ThreadPoolExecutor pool = new ThreadPoolExecutor(CORE_THREADS, MAX_IN_FLIGHT, 30, TimeUnit.SECONDS,
                    new SynchronousQueue<>(), r -> {
                        Thread t = new Thread(r, "portmanager-http-" + n.incrementAndGet());
                        t.setDaemon(true);
                        return t;
                    });
            threads = pool;
        }
        return new Capped(threads, MAX_IN_FLIGHT);
    }

    /** {@code Executors.newVirtualThreadPerTaskExecutor()} on JDK 21+, else null (this code builds for 17). */
    private static ExecutorService virtualThreads() {
        try {
            Method m = Executors.class.getMethod("newVirtualThreadPerTaskExecutor");
            return (ExecutorService) m.invoke(null);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    /** Refuses a task when {@code max} are running: the server then closes that connection. */
    private static final class Capped extends java.util.concurrent.AbstractExecutorService {
        private final ExecutorService delegate;
        private final Semaphore permits;

        Capped(ExecutorService delegate, int max) {
            this.delegate = delegate;
            this.permits = new Semaphore(max);
        }

        @Override
        public void execute(Runnable task) {
            if (!permits.tryAcquire()) {
                throw new RejectedExecutionException("more than " + MAX_IN_FLIGHT + " requests in progress");
            }
            try {
                delegate.execute(() -> {
                    try {
                        task.run();
                    } finally {
                        permits.release();
                    }
                });
            } catch (RuntimeException e) {
                permits.release();
                throw e;
            }
        }

        @Override
        public void shutdown() {
            delegate.shutdown();
        }

        @Override
        public java.util.List<Runnable> shutdownNow() {
            return delegate.shutdownNow();
        }

        @Override
        public boolean isShutdown() {
            return delegate.isShutdown();
        }

        @Override
        public boolean isTerminated() {
            return delegate.isTerminated();
        }

        @Override
        public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
            return delegate.awaitTermination(timeout, unit);
        }
    }
}
