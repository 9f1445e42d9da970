package dev.portmanager.agent;

import dev.portmanager.Log;
import dev.portmanager.PortManager;
import dev.portmanager.config.ConfigFile;
import dev.portmanager.config.PortManagerConfig;

/**
 * Opens the embedded PortManager on a background thread started in premain, so that reading the config file and
 * the state directory overlaps the application's own start-up; the first managed bind waits for it. A failure
 * is reported once and turns the agent off (fail-open), or exits the JVM with fail=closed.
 */
final class ManagerAccess implements Runnable {
    private final AgentSettings settings;
    private final ClassLoader agentLoader;
    private PortManager manager;
    private PortManagerConfig config;
    private boolean finished;

    ManagerAccess(AgentSettings settings, ClassLoader agentLoader) {
        this.settings = settings;
        this.agentLoader = agentLoader;
    }

    void start() {
        Thread opener = new Thread(this, "portmanager-open");
        opener.setDaemon(true);
        opener.setContextClassLoader(agentLoader);
        opener.start();
    }

    @Override
    public void run() {
        PortManager opened = null;
        PortManagerConfig effective = null;
        long started = System.nanoTime();
        try {
            // Here, not in premain: the core's Log initialises a lambda, and the first one costs 10-15 ms.
            Log.setSink(new LogSink());
            effective = effectiveConfig();
            opened = PortManager.open(effective);
            if (AgentMain.DEBUG) {
                AgentLog.line("port manager opened in " + (System.nanoTime() - started) / 1000 + " us");
            }
        } catch (Throwable failure) {
            String why = failure.getMessage() == null ? failure.toString() : failure.getMessage();
            String line = settings.service + ": port manager unavailable (" + why + ")";
            if (settings.failClosed) {
                AgentLog.line(line + "; exiting because fail=closed");
                Runtime.getRuntime().halt(2);
            }
            AgentLog.line(line + "; every bind goes ahead as asked");
        }
        synchronized (this) {
            manager = opened;
            config = effective;
            finished = true;
            notifyAll();
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

    /** The manager, waiting for it to open; null when it could not be opened. */
    synchronized PortManager get() {
        boolean interrupted = false;
        while (!finished) {
            try {
                wait();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        return manager;
    }

    synchronized PortManagerConfig config() {
        return config;
    }

    /** Withdraws registrations at exit (shutdown hook). */
    void close() {
        PortManager m;
        synchronized (this) {
            m = manager;
        }
        if (m != null) {
            try {
                m.close();
            } catch (Throwable ignored) {
                // exiting anyway; leases expire
            }
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
