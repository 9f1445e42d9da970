package dev.portmanager.agent;

import dev.portmanager.Log;
import dev.portmanager.PortManager;
import dev.portmanager.config.ConfigFile;
import dev.portmanager.config.PortManagerConfig;

import java.util.ArrayDeque;

/**
 * The embedded PortManager and the one thread that talks to it. The thread starts in premain and opens the
 * manager (reading the config file and the state directory overlaps the application's own start-up); then it
 * runs the core calls of the bind and close paths ({@link #call}, {@link #post}) one after another.
 *
 * <p>Why a thread of its own: the application's thread never waits longer than {@code timeout} for the core,
 * whatever holds it up (a stuck lock holder, a hung file system), and the core never sees the application's
 * interrupt flag. When a call runs over, one line says so, the bind goes ahead as asked, and later calls go
 * ahead as asked at once until the core answers again. A failure to open is reported once and turns the agent
 * off (fail-open), or exits the JVM with fail=closed.
 */
final class ManagerAccess implements Runnable {
    /** How long after the agent's start the Redis client is created, unless the registry is needed sooner. */
    static final java.time.Duration REDIS_CLIENT_DELAY = java.time.Duration.ofSeconds(2);

    private final AgentSettings settings;
    private final ClassLoader agentLoader;
    private final long limitNanos;
    private final ArrayDeque<CoreCall> queue = new ArrayDeque<>();
    private PortManager manager;
    private PortManagerConfig config;
    private boolean finished;
    /** A call ran over its time and has not finished yet: calls go ahead as asked without waiting. */
    private boolean stuck;
    private volatile boolean closed;

    ManagerAccess(AgentSettings settings, ClassLoader agentLoader) {
        this.settings = settings;
        this.agentLoader = agentLoader;
        this.limitNanos = settings.timeout.toNanos();
    }

    void start() {
        Thread core = new Thread(this, "portmanager-core");
        core.setDaemon(true);
        core.setContextClassLoader(agentLoader); // threads the core starts inherit it: the agent leaves them alone
        core.start();
    }

    @Override
    public void run() {
        open();
        warmUp();
        serve();
    }

    /**
     * Loads the bind's check and the grant path ahead of the first bind (see {@code HostAllocator#warmUp}), while
     * the app is still starting: a bind that comes later finds its decision's classes loaded. One that comes sooner
     * queues behind it on this thread, which costs it nothing it would not have paid itself.
     */
    private void warmUp() {
        PortManager m;
        synchronized (this) {
            m = manager;
        }
        if (m == null) {
            return;
        }
        ReusePort.warmUp(); // first: the bind's own check comes right after the opening
        try {
            m.warmUp(dev.portmanager.AllocationRequest.forService(settings.service).type(settings.type)
                    .mode(settings.mode).instance(settings.instance).preferredPort(settings.preferredForAll));
        } catch (RuntimeException e) {
            // closed meanwhile: nothing to prepare
        }
    }

    private void open() {
        PortManager opened = null;
        PortManagerConfig effective = null;
        long started = System.nanoTime();
        try {
            if (settings.service == null) {
                // Here, not in premain: naming may read a manifest.
                settings.service = ServiceNames.deriveOrFallback();
            }
            // Here, not in premain: the core's Log initialises a lambda, and the first one costs 10-15 ms.
            Log.setSink(new LogSink());
            effective = effectiveConfig();
            if (effective.usesRedis()) {
                // Lettuce (~1.5 s of CPU, ~2,800 classes) is kept off the app's CPU while it starts: the client is
                // created this long after the agent started, or at once when a lookup or connect needs the registry.
                dev.portmanager.registry.RegistrySync.deferClientCreation(REDIS_CLIENT_DELAY);
            }
            opened = PortManager.open(effective);
            if (AgentMain.DEBUG) {
                AgentLog.line("port manager opened in " + (System.nanoTime() - started) / 1000 + " us");
            }
        } catch (Throwable failure) {
            String why = failure.getMessage() == null ? failure.toString() : failure.getMessage();
            fail(settings.service + ": port manager unavailable (" + why + ")", "every bind goes ahead as asked");
        }
        synchronized (this) {
            manager = opened;
            config = effective;
            finished = true;
            stuck = false;
            notifyAll();
        }
    }

    private void serve() {
        while (true) {
            CoreCall next;
            PortManager m;
            synchronized (this) {
                while (queue.isEmpty()) {
                    try {
                        wait();
                    } catch (InterruptedException e) {
                        // nobody but the JVM stops this daemon
                    }
                }
                next = queue.poll();
                next.state = CoreCall.RUNNING;
                m = manager;
            }
            Object result = null;
            Throwable failure = null;
            try {
                result = next.perform(m);
            } catch (Throwable t) {
                failure = t;
            }
            boolean abandoned;
            synchronized (this) {
                abandoned = next.state == CoreCall.ABANDONED;
                next.result = result;
                next.failure = failure;
                next.state = CoreCall.DONE;
                if (stuck && queue.isEmpty()) {
                    stuck = false;
                }
                notifyAll();
            }
            if (abandoned && failure == null) {
                try {
                    next.undo(m, result);
                } catch (Throwable ignored) {
                    // its lease runs out on its own
                }
            }
        }
    }

    /** Precedence below the agent settings: the config file (explicit, or discovered), then the defaults. */
    private PortManagerConfig effectiveConfig() {
        PortManagerConfig c = settings.config != null ? ConfigFile.load(settings.config) : ConfigFile.discover();
        if (settings.stateDir != null) {
            c = c.withStateDir(settings.stateDir);
        }
        if (settings.store != null) {
            c = c.withStore(settings.store);
        }
        if (settings.redisCa != null) {
            c = c.withRedisCa(settings.redisCa);
        }
        if (settings.host != null) {
            c = c.withHost(settings.host);
        }
        if (settings.advertise != null) {
            c = c.withAdvertise(settings.advertise);
        }
        if (settings.lease != null) {
            c = c.withLease(settings.lease);
        }
        return c;
    }

    /**
     * The manager, waiting for it to open at most {@code timeout}; null when it could not be opened, did not open
     * in time, or was closed at exit (every bind then goes ahead as asked).
     */
    PortManager get() {
        boolean interrupted = false;
        boolean late = false;
        PortManager m;
        synchronized (this) {
            long deadline = System.nanoTime() + limitNanos;
            while (!finished && !closed) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    late = !stuck;
                    stuck = true;
                    break;
                }
                try {
                    wait(Math.max(1, left / 1_000_000));
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            m = closed ? null : manager;
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        if (late) {
            fail("the port manager did not open within " + settings.timeout.toMillis() + " ms",
                    "binds go ahead as asked until it does");
        }
        return m;
    }

    /**
     * Runs {@code c} on the core thread and waits for it at most {@code timeout}. False when it did not finish in
     * time (or the core is already behind, or the manager is closed): the caller goes ahead as asked. The
     * caller's interrupt flag neither stops the wait nor reaches the core; it is kept.
     */
    boolean call(CoreCall c) {
        boolean interrupted = false;
        boolean late = false;
        try {
            synchronized (this) {
                if (closed || stuck || manager == null) {
                    return false;
                }
                queue.add(c);
                notifyAll();
                long deadline = System.nanoTime() + limitNanos;
                while (c.state != CoreCall.DONE) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        if (c.state == CoreCall.QUEUED) {
                            queue.remove(c);
                        }
                        c.state = CoreCall.ABANDONED;
                        late = !stuck;
                        stuck = true;
                        break;
                    }
                    try {
                        wait(Math.max(1, left / 1_000_000));
                    } catch (InterruptedException e) {
                        interrupted = true;
                    }
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        if (late) {
            fail(settings.service + ": the state directory did not answer within " + settings.timeout.toMillis()
                    + " ms (a stuck lock holder or a hung file system)", "binds go ahead as asked until it answers");
            return false;
        }
        return c.state == CoreCall.DONE;
    }

    /** Queues {@code c} without waiting (a release on close: later calls run after it, in order). */
    void post(CoreCall c) {
        synchronized (this) {
            if (closed || manager == null) {
                return;
            }
            queue.add(c);
            notifyAll();
        }
    }

    private void fail(String line, String consequence) {
        if (settings.failClosed && !closed) {
            AgentLog.line(line + "; exiting because fail=closed");
            Runtime.getRuntime().halt(2);
        }
        AgentLog.line(line + "; " + consequence);
    }

    synchronized PortManagerConfig config() {
        return config;
    }

    /** True once the JVM's exit began: binds from then on go ahead as asked, whatever {@code fail} says. */
    boolean isClosed() {
        return closed;
    }

    /** Withdraws registrations at exit (shutdown hook), waiting for that at most {@code timeout}. */
    void close() {
        CoreCall close = new CloseCall();
        boolean queued;
        synchronized (this) {
            queued = !stuck && manager != null && !closed;
            closed = true;
            if (queued) {
                queue.add(close);
                notifyAll();
            }
        }
        if (!queued) {
            return; // leases expire
        }
        long deadline = System.nanoTime() + limitNanos;
        synchronized (this) {
            while (close.state != CoreCall.DONE && System.nanoTime() < deadline) {
                try {
                    wait(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }

    private static final class CloseCall extends CoreCall {
        @Override
        Object perform(PortManager m) {
            m.close();
            return null;
        }
    }

    /** Core diagnostics go out as agent lines. */
    private static final class LogSink implements java.util.function.Consumer<String> {
        @Override
        public void accept(String line) {
            AgentLog.line(line);
        }
    }
}
