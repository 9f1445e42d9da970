package dev.portmanager.agent;

import dev.portmanager.Allocation;
import dev.portmanager.AllocationRequest;
import dev.portmanager.PortManager;
import dev.portmanager.config.KnownService;
import dev.portmanager.config.PortManagerConfig;

import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.Consumer;

/**
 * Decides every server bind the bridge reports: which ones to manage, which port they get, what to do when the
 * bind fails, and what to register when it succeeds; and releases a port when its last socket closes (or is
 * dropped and collected). Installed in the bridge as the enter handler (a {@link BiFunction}) and the close
 * handler (a {@link Consumer}). Every core call runs through {@link ManagerAccess}, which bounds the wait.
 *
 * <p>All of this JVM's binds of one requested port share the port granted to the first of them (see
 * {@link SharedPort}). A bind with SO_REUSEPORT first tries the port its instance already listens on in another
 * process (a zero-downtime restart), and takes that claim over once bound.
 */
final class BindHandler implements BiFunction<Object, Object, Object>, Consumer<Object> {
    /** How many more ports a bind tries after the granted one was taken by another socket in between. */
    static final int MAX_RETRIES = 5;

    private final AgentSettings settings;
    private final ManagerAccess access;
    private final ClassLoader agentLoader;
    /** The share of each requested port while a bind of it is in progress or a socket holds it. */
    private final Map<Integer, SharedPort> shares = new HashMap<>();
    private final BoundSockets bound;

    BindHandler(AgentSettings settings, ManagerAccess access, ClassLoader agentLoader) {
        this.settings = settings;
        this.access = access;
        this.agentLoader = agentLoader;
        this.bound = new BoundSockets(new Collected(this), agentLoader);
    }

    /** Enter: a ticket when this bind is ours, else null (the bind goes ahead unchanged). */
    @Override
    public Object apply(Object socket, Object address) {
        if (BindTicket.ACTIVE.get() != null || isAgentOwn(socket)) {
            return null;
        }
        InetSocketAddress requested = (InetSocketAddress) address;
        if (requested.isUnresolved() || !settings.manages(requested.getPort()) || access.isClosed()) {
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
        BindTicket ticket = new BindTicket(this, socket, requested, settings.endpointFor(port));
        if (port == 0) {
            ticket.share = new SharedPort(0); // the OS chooses; registered once bound
            ticket.leads = true;
            return ticket;
        }
        if (joinOrLead(ticket)) {
            return ticket;
        }
        if (ticket.share == null) {
            return null; // another bind of this port is still deciding after the time limit: go ahead as asked
        }
        if (ReusePort.isSet(socket)) {
            Allocation peer = listeningPeer(port, ticket.endpoint);
            if (peer != null) {
                ticket.peer = peer;
                ticket.aim(peer.port());
                return ticket;
            }
        }
        boolean granted = grant(ticket, Set.of());
        if (AgentMain.DEBUG) {
            AgentLog.line("bind of " + port + " decided in " + (System.nanoTime() - started) / 1000 + " us");
        }
        return granted ? ticket : null;
    }

    /**
     * Asks the core for a port for the ticket's share and aims the ticket at it; when none is granted, the ticket
     * lets go of its share and the bind goes ahead as asked (false).
     */
    private boolean grant(BindTicket ticket, Set<Integer> excluded) {
        Allocation granted = allocate(ticket.requested.getPort(), ticket.endpoint, excluded);
        if (granted == null) {
            leave(ticket.share);
            return false;
        }
        ticket.share.allocation = granted;
        ticket.aim(granted.port());
        return true;
    }

    /**
     * True when the bind joins the port another socket of this JVM already holds for the same requested port.
     * Otherwise the ticket leads a new share, registered so that concurrent binds wait for its outcome; or, when
     * a concurrent bind did not settle within the time limit, the ticket has no share.
     */
    private boolean joinOrLead(BindTicket ticket) {
        int port = ticket.requested.getPort();
        long deadline = System.nanoTime() + settings.timeout.toNanos();
        boolean interrupted = false;
        try {
            synchronized (shares) {
                while (true) {
                    SharedPort share = shares.get(port);
                    if (share == null) {
                        share = new SharedPort(port);
                        shares.put(port, share);
                        ticket.share = share;
                        ticket.leads = true;
                        return false;
                    }
                    if (share.listening) {
                        share.holders++;
                        ticket.share = share;
                        ticket.aim(share.port);
                        return true;
                    }
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        return false;
                    }
                    try {
                        shares.wait(Math.max(1, left / 1_000_000));
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
    }

    /** Drops one hold of a share; the last one gives the grant back and lets waiting binds lead anew. */
    void leave(SharedPort share) {
        synchronized (shares) {
            if (--share.holders > 0) {
                return;
            }
            if (shares.get(share.requestedPort) == share) {
                shares.remove(share.requestedPort);
            }
            shares.notifyAll();
        }
        release(share.allocation);
    }

    /** The agent's own threads (the core thread, Lettuce and Netty inside the core) and classes are left alone. */
    private boolean isAgentOwn(Object socket) {
        return Thread.currentThread().getContextClassLoader() == agentLoader
                || socket.getClass().getClassLoader() == agentLoader;
    }

    private AllocationRequest request(int requestedPort, String endpoint, Set<Integer> excluded) {
        return AllocationRequest.forService(settings.service)
                .type(settings.type)
                .preferredPort(settings.preferredFor(requestedPort))
                .mode(settings.mode)
                .instance(settings.instance)
                .endpoint(endpoint)
                .excluding(excluded);
    }

    private Allocation allocate(int requestedPort, String endpoint, Set<Integer> excluded) {
        AllocateCall call = new AllocateCall(request(requestedPort, endpoint, excluded));
        if (!access.call(call)) {
            return null; // closed at exit, or the core is stuck (said once by ManagerAccess)
        }
        if (call.failure != null) {
            if (access.isClosed()) {
                return null; // the JVM is exiting: the bind goes ahead as asked, whatever fail says
            }
            String line = settings.service + ": cannot allocate for port " + requestedPort + " ("
                    + call.failure.getMessage() + ")";
            if (settings.failClosed) {
                AgentLog.line(line + "; exiting because fail=closed");
                Runtime.getRuntime().halt(2);
            }
            AgentLog.line(line + "; binding " + requestedPort + " as asked");
            return null;
        }
        return (Allocation) call.result;
    }

    private Allocation listeningPeer(int requestedPort, String endpoint) {
        PeerCall call = new PeerCall(request(requestedPort, endpoint, Set.of()));
        return access.call(call) && call.failure == null ? (Allocation) call.result : null;
    }

    /** After a failed bind: true when it should run again (at another port, or to rethrow its first failure). */
    boolean retry(BindTicket ticket, Throwable failure) {
        if (ticket.rethrowFirst) {
            ticket.rethrowFirst = false; // get() threw the first failure: let it out
            return false;
        }
        boolean inUse = isAddressInUse(failure);
        if (ticket.firstFailure == null) {
            ticket.firstFailure = failure;
        } else if (!inUse) {
            // An earlier attempt failed after its bind succeeded (in listen()): the socket stays bound and refuses
            // another bind. The application gets that earlier failure, not "Already bound".
            leave(ticket.share);
            ticket.rethrowFirst = true;
            return true;
        }
        boolean nothingGranted = ticket.leads && ticket.share.allocation == null && ticket.peer == null;
        if (!inUse || ticket.retries >= MAX_RETRIES || nothingGranted) {
            leave(ticket.share); // EACCES, EADDRNOTAVAIL...: the application gets its failure, nothing stays held
            return false;
        }
        ticket.failedPorts.add(ticket.target.getPort());
        ticket.retries++;
        if (ticket.leads) {
            withdraw(ticket.share.allocation);
            ticket.share.allocation = null;
            ticket.peer = null;
        } else {
            // The port this JVM holds for the same request refused this socket (no SO_REUSEPORT, same address):
            // this socket gets a port of its own.
            leave(ticket.share);
            ticket.share = new SharedPort(ticket.requested.getPort());
            ticket.leads = true;
        }
        return grant(ticket, ticket.failedPorts);
    }

    /** Classified with the agent's loader as context: learning the JDK's text binds two sockets of the agent's own. */
    private boolean isAddressInUse(Throwable failure) {
        Thread thread = Thread.currentThread();
        ClassLoader appContext = thread.getContextClassLoader();
        thread.setContextClassLoader(agentLoader);
        try {
            return BindFailures.isAddressInUse(failure);
        } finally {
            thread.setContextClassLoader(appContext);
        }
    }

    /** After a successful bind: record the port as listening (the leader of a share), and track the socket. */
    void bound(BindTicket ticket, Object socket) {
        SharedPort share = ticket.share;
        if (ticket.leads) {
            long started = System.nanoTime();
            share.port = ticket.requested.getPort() == 0 ? LocalPorts.of(socket) : ticket.target.getPort();
            Allocation held = record(ticket, share.port);
            if (held != null) {
                share.allocation = held;
            }
            synchronized (shares) {
                share.listening = true;
                shares.notifyAll();
            }
            if (AgentMain.DEBUG) {
                AgentLog.line("bind of " + share.port + " recorded in " + (System.nanoTime() - started) / 1000 + " us");
            }
            if (share.allocation == null && ticket.requested.getPort() == 0) {
                return; // nothing recorded, nothing to release
            }
        }
        bound.put(socket, share);
    }

    private Allocation record(BindTicket ticket, int port) {
        if (port == 0) {
            return null;
        }
        InetSocketAddress requested = ticket.requested;
        String advertised = requested.getAddress() != null && !requested.getAddress().isAnyLocalAddress()
                ? requested.getAddress().getHostAddress() : settings.advertise;
        CoreCall call;
        if (ticket.peer != null) {
            call = new TakeOverCall(ticket.peer, advertised, this, ticket.endpoint, port);
        } else if (ticket.share.allocation == null) {
            call = new RegisterCall(this, ticket.endpoint, port, advertised);
        } else {
            call = new MarkListeningCall(ticket.share.allocation, advertised);
        }
        if (!access.call(call)) {
            return null;
        }
        if (call.failure != null) {
            AgentLog.line(settings.service + ": bound " + port + " but could not record it ("
                    + call.failure.getMessage() + ")");
            return null;
        }
        Allocation held = (Allocation) call.result;
        // Moved from the port the app asked for: by a conflict, or by a `preferred=` setting (the allocation's own
        // requested port is then the preferred one, so Allocation.moved() would not see it).
        if (requested.getPort() != 0 && port != requested.getPort()) {
            AgentLog.line(settings.service + ": " + requested.getPort() + " -> " + port + " (" + held.reason() + ")");
        }
        return held;
    }

    String typeForRegistration() {
        if (settings.type != null) {
            return settings.type;
        }
        PortManagerConfig config = access.config();
        KnownService known = config == null ? null : config.services().get(settings.service);
        return known != null ? known.type() : PortManagerConfig.DYNAMIC_TYPE;
    }

    /** Close: a managed server socket drops its hold; the last one gives the port back. */
    @Override
    public void accept(Object socket) {
        SharedPort share = bound.remove(socket);
        if (share != null) {
            leave(share);
        }
    }

    /**
     * Takes back, in the background, a grant whose bind found the port in use: no cool-down, no sticky port (it
     * was never this instance's port). The next grant, queued after it, sees it gone.
     */
    private void withdraw(Allocation allocation) {
        if (allocation != null) {
            access.post(new ReleaseCall(allocation, true));
        }
    }

    /** Gives a grant back in the background: a close never waits, and later core calls run after it. */
    private void release(Allocation allocation) {
        if (allocation != null) {
            access.post(new ReleaseCall(allocation, false));
        }
    }

    // ---- the core calls --------------------------------------------------------------------------------------

    private static final class AllocateCall extends CoreCall {
        private final AllocationRequest request;

        AllocateCall(AllocationRequest request) {
            this.request = request;
        }

        @Override
        Object perform(PortManager m) {
            // The bind that follows is the final arbiter; on "address in use" retry() withdraws and asks again.
            return m.allocateForBind(request);
        }

        @Override
        void undo(PortManager m, Object granted) {
            m.release((Allocation) granted); // the bind went ahead as asked without it
        }
    }

    private static final class PeerCall extends CoreCall {
        private final AllocationRequest request;

        PeerCall(AllocationRequest request) {
            this.request = request;
        }

        @Override
        Object perform(PortManager m) {
            return m.listeningPeer(request).orElse(null);
        }
    }

    private static final class MarkListeningCall extends CoreCall {
        private final Allocation allocation;
        private final String advertised;

        MarkListeningCall(Allocation allocation, String advertised) {
            this.allocation = allocation;
            this.advertised = advertised;
        }

        @Override
        Object perform(PortManager m) {
            return m.markListening(allocation, advertised);
        }
    }

    private static final class RegisterCall extends CoreCall {
        private final BindHandler handler;
        private final String endpoint;
        private final int port;
        private final String advertised;

        RegisterCall(BindHandler handler, String endpoint, int port, String advertised) {
            this.handler = handler;
            this.endpoint = endpoint;
            this.port = port;
            this.advertised = advertised;
        }

        @Override
        Object perform(PortManager m) {
            return m.registerListening(handler.settings.service, handler.typeForRegistration(), endpoint, port,
                    advertised);
        }
    }

    /** Takes the peer's claim over; when it changed meanwhile (the peer released it), records the port anew. */
    private static final class TakeOverCall extends CoreCall {
        private final Allocation peer;
        private final String advertised;
        private final RegisterCall fallback;

        TakeOverCall(Allocation peer, String advertised, BindHandler handler, String endpoint, int port) {
            this.peer = peer;
            this.advertised = advertised;
            this.fallback = new RegisterCall(handler, endpoint, port, advertised);
        }

        @Override
        Object perform(PortManager m) {
            Optional<Allocation> taken = m.takeOver(peer, advertised);
            return taken.isPresent() ? taken.get() : fallback.perform(m);
        }
    }

    /** Gives a grant back: released (cool-down, sticky port kept), or withdrawn after its bind failed. */
    private static final class ReleaseCall extends CoreCall {
        private final Allocation allocation;
        private final boolean withdraw;

        ReleaseCall(Allocation allocation, boolean withdraw) {
            this.allocation = allocation;
            this.withdraw = withdraw;
        }

        @Override
        Object perform(PortManager m) {
            return withdraw ? m.withdraw(allocation) : m.release(allocation);
        }
    }

    /** A tracked socket the application dropped without closing it was collected: its hold goes. */
    private static final class Collected implements Consumer<SharedPort> {
        private final BindHandler handler;

        Collected(BindHandler handler) {
            this.handler = handler;
        }

        @Override
        public void accept(SharedPort share) {
            handler.leave(share);
        }
    }
}
