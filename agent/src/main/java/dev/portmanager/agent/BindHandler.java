package dev.portmanager.agent;

import dev.portmanager.Allocation;
import dev.portmanager.AllocationRequest;
import dev.portmanager.PortManager;
import dev.portmanager.config.KnownService;
import dev.portmanager.config.PortManagerConfig;

import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Consumer;

/**
 * Decides every server bind the bridge reports: which ones to manage, which port they get, what to do when the
 * bind fails, and what to register when it succeeds; and releases a port when its socket closes.
 * Installed in the bridge as the enter handler (a {@link BiFunction}) and the close handler (a {@link Consumer}).
 */
final class BindHandler implements BiFunction<Object, Object, Object>, Consumer<Object> {
    /** How many more ports a bind tries after the granted one was taken by another process in between. */
    static final int MAX_RETRIES = 5;

    private final AgentSettings settings;
    private final ManagerAccess access;
    private final ClassLoader agentLoader;
    /** Bound server sockets (by identity) and the allocation each holds, released on close. */
    private final Map<Object, Allocation> bound = new IdentityHashMap<>();

    BindHandler(AgentSettings settings, ManagerAccess access, ClassLoader agentLoader) {
        this.settings = settings;
        this.access = access;
        this.agentLoader = agentLoader;
    }

    /** Enter: a ticket when this bind is ours, else null (the bind goes ahead unchanged). */
    @Override
    public Object apply(Object socket, Object address) {
        if (BindTicket.ACTIVE.get() != null || isAgentOwn(socket)) {
            return null;
        }
        InetSocketAddress requested = (InetSocketAddress) address;
        if (requested.isUnresolved() || !settings.manages(requested.getPort())) {
            return null;
        }
        long started = System.nanoTime();
        PortManager manager = access.get();
        if (AgentMain.DEBUG) {
            AgentLog.line("waited " + (System.nanoTime() - started) / 1000 + " us for the port manager");
        }
        if (manager == null) {
            return null;
        }
        int port = requested.getPort();
        String endpoint = settings.endpointFor(port);
        if (port == 0) {
            return new BindTicket(this, requested, endpoint, null);
        }
        Allocation granted = allocate(manager, port, endpoint, java.util.Set.of());
        if (AgentMain.DEBUG) {
            AgentLog.line("bind of " + port + " decided in " + (System.nanoTime() - started) / 1000 + " us");
        }
        return granted == null ? null : new BindTicket(this, requested, endpoint, granted);
    }

    /** The agent's own threads (the opener, Lettuce and Netty inside the core) and classes are left alone. */
    private boolean isAgentOwn(Object socket) {
        return Thread.currentThread().getContextClassLoader() == agentLoader
                || socket.getClass().getClassLoader() == agentLoader;
    }

    private Allocation allocate(PortManager manager, int requestedPort, String endpoint, java.util.Set<Integer> excluded) {
        AllocationRequest request = AllocationRequest.forService(settings.service)
                .type(settings.type)
                .preferredPort(settings.preferredFor(requestedPort))
                .mode(settings.mode)
                .instance(settings.instance)
                .endpoint(endpoint)
                .excluding(excluded);
        Thread thread = Thread.currentThread();
        ClassLoader appContext = thread.getContextClassLoader();
        thread.setContextClassLoader(agentLoader); // threads the core starts now inherit it: ignored above
        try {
            return manager.allocate(request);
        } catch (RuntimeException | Error failure) {
            String line = settings.service + ": cannot allocate for port " + requestedPort + " ("
                    + failure.getMessage() + ")";
            if (settings.failClosed) {
                AgentLog.line(line + "; exiting because fail=closed");
                Runtime.getRuntime().halt(2);
            }
            AgentLog.line(line + "; binding " + requestedPort + " as asked");
            return null;
        } finally {
            thread.setContextClassLoader(appContext);
        }
    }

    /** After a failed bind: true when another port was granted and the bind should run again. */
    boolean retry(BindTicket ticket, Throwable failure) {
        Allocation failed = ticket.allocation;
        if (failed == null) {
            return false;
        }
        PortManager manager = access.get();
        releaseQuietly(manager, failed);
        if (!isAddressInUse(failure) || ticket.retries >= MAX_RETRIES) {
            return false;
        }
        ticket.failedPorts.add(failed.port());
        ticket.retries++;
        Allocation next = allocate(manager, ticket.requested.getPort(), ticket.endpoint, ticket.failedPorts);
        if (next == null) {
            return false;
        }
        ticket.grant(next);
        return true;
    }

    /** EADDRINUSE, as the JDK (BindException) or Netty's native transports (an IOException) report it. */
    static boolean isAddressInUse(Throwable failure) {
        if (failure instanceof BindException) {
            return true;
        }
        String message = failure.getMessage();
        return failure instanceof IOException && message != null && message.contains("Address already in use");
    }

    /** After a successful bind: record the port as listening (the core registers it in the background). */
    void bound(BindTicket ticket, Object socket) {
        long started = System.nanoTime();
        PortManager manager = access.get();
        Thread thread = Thread.currentThread();
        ClassLoader appContext = thread.getContextClassLoader();
        thread.setContextClassLoader(agentLoader);
        try {
            String advertised = ticket.requested.getAddress() != null && !ticket.requested.getAddress().isAnyLocalAddress()
                    ? ticket.requested.getAddress().getHostAddress() : settings.advertise;
            Allocation held;
            if (ticket.allocation == null) {
                int port = LocalPorts.of(socket);
                if (port == 0) {
                    return;
                }
                held = manager.registerListening(settings.service, typeForRegistration(), ticket.endpoint, port, advertised);
            } else {
                held = manager.markListening(ticket.allocation, advertised);
                // Moved from the port the app asked for (a `preferred=` setting moves it too, silently otherwise).
                int asked = ticket.requested.getPort();
                if (asked != 0 && asked != held.port()) {
                    AgentLog.line(settings.service + ": " + asked + " -> " + held.port() + " (" + held.reason() + ")");
                }
            }
            synchronized (bound) {
                bound.put(socket, held);
            }
            if (AgentMain.DEBUG) {
                AgentLog.line("bind of " + held.port() + " recorded in " + (System.nanoTime() - started) / 1000 + " us");
            }
        } catch (RuntimeException | Error failure) {
            AgentLog.line(settings.service + ": bound " + ticket.target.getPort() + " but could not record it ("
                    + failure.getMessage() + ")");
        } finally {
            thread.setContextClassLoader(appContext);
        }
    }

    private String typeForRegistration() {
        if (settings.type != null) {
            return settings.type;
        }
        PortManagerConfig config = access.config();
        KnownService known = config == null ? null : config.services().get(settings.service);
        return known != null ? known.type() : PortManagerConfig.DYNAMIC_TYPE;
    }

    /** Close: a managed server socket gives its port back (its previous owner may take it again at once). */
    @Override
    public void accept(Object socket) {
        Allocation held;
        synchronized (bound) {
            held = bound.remove(socket);
        }
        if (held != null) {
            releaseQuietly(access.get(), held);
        }
    }

    private void releaseQuietly(PortManager manager, Allocation allocation) {
        if (manager == null) {
            return;
        }
        Thread thread = Thread.currentThread();
        ClassLoader appContext = thread.getContextClassLoader();
        thread.setContextClassLoader(agentLoader);
        try {
            manager.release(allocation);
        } catch (RuntimeException | Error ignored) {
            // the lease runs out on its own
        } finally {
            thread.setContextClassLoader(appContext);
        }
    }
}
