package dev.portmanager.host;

import dev.portmanager.Allocation;
import dev.portmanager.AllocationRequest;
import dev.portmanager.AllocationState;
import dev.portmanager.InvalidRequestException;
import dev.portmanager.Owner;
import dev.portmanager.RangeExhaustedException;
import dev.portmanager.config.KnownService;
import dev.portmanager.config.PortManagerConfig;
import dev.portmanager.config.PortRange;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Grants ports on this host by the allocation rules, in order:
 * <ol>
 *   <li>a reservation made ahead of time for the same service (the owner process takes it over);</li>
 *   <li>the preferred port, when nothing listens on it, no live allocation holds it and it does not lie in a
 *       priority-1 range of another type (STRICT mode: only inside the type's own range);</li>
 *   <li>the instance's previous port (sticky), when it is free again;</li>
 *   <li>the next free port of the type's range, then of the dynamic pool.</li>
 * </ol>
 * Each grant is one locked update of one port's claim record, so racing processes never share a port; the bind that
 * follows is the final arbiter.
 */
public final class HostAllocator {
    /** How long the kernel's listening table may be reused within an allocation burst. */
    private static final long SOCKET_TABLE_MAX_AGE_MILLIS = 200;

    private final PortManagerConfig config;
    private final StateDirectory state;
    private final String host;
    private final ListeningSockets sockets = new ListeningSockets(SOCKET_TABLE_MAX_AGE_MILLIS);
    /** Read when a scan first needs it: a grant of the preferred port does not. */
    private volatile EphemeralRange ephemeral;
    /** Next-fit cursor per range (offset from its start): keeps a busy range from being rescanned from its start. */
    private final Map<String, AtomicInteger> cursors = new ConcurrentHashMap<>();

    public HostAllocator(PortManagerConfig config, StateDirectory state, String host) {
        this.config = config;
        this.state = state;
        this.host = host;
    }

    public String host() {
        return host;
    }

    public StateDirectory state() {
        return state;
    }

    public ListeningSockets sockets() {
        return sockets;
    }

    /** A request with every default filled in and every field checked. */
    record Resolved(String service, String type, PortRange range, int preferred, AllocationRequest.Mode mode,
                    String instance, String endpoint, Owner owner, long leaseMillis, Set<Integer> excluded) {
        String stickyKey() {
            return HostAllocator.stickyKey(instance, endpoint);
        }
    }

    Resolved resolve(AllocationRequest r) {
        checkName(r.service(), "service");
        if (r.instance() != null) {
            checkName(r.instance(), "instance");
        }
        if (r.endpoint() != null) {
            checkName(r.endpoint(), "endpoint");
        }
        KnownService known = config.services().get(r.service());
        String type = r.type() != null ? r.type() : known != null ? known.type() : PortManagerConfig.DYNAMIC_TYPE;
        PortRange range = config.rangeFor(type);
        if (range == null) {
            throw new InvalidRequestException("unknown service type '" + type + "'; accepted: " + config.knownTypes());
        }
        int preferred = r.preferredPort() != 0 ? r.preferredPort() : known != null ? known.preferredPort() : 0;
        if (preferred < 0 || preferred > 65535) {
            throw new InvalidRequestException("preferred port " + preferred + " is out of range; accepted: 1-65535");
        }
        long lease = r.owner() != null ? config.lease().toMillis()
                : (r.ttl() != null ? r.ttl() : config.reservationTtl()).toMillis();
        if (lease <= 0) {
            throw new InvalidRequestException("ttl must be longer than zero");
        }
        return new Resolved(r.service(), type, range, preferred, r.mode(), r.instanceOrDefault(),
                r.endpointOrDefault(), r.owner(), lease, r.excluded());
    }

    static void checkName(String value, String what) {
        if (!AllocationRequest.isName(value)) {
            throw new InvalidRequestException(what + " '" + value + "' is not accepted; expected "
                    + AllocationRequest.NAME_RULE);
        }
    }

    public Allocation allocate(AllocationRequest request) {
        return allocate(request, false);
    }

    /**
     * @param bindFollows true when the caller binds the granted port right away and, should that bind fail with
     *                    "address in use", asks again with the port excluded (the agent). The preferred port is
     *                    then granted on its claim alone, without reading the kernel's listening table: the bind
     *                    is the final arbiter either way, and the common case (the port is free) skips the read.
     */
    public Allocation allocate(AllocationRequest request, boolean bindFollows) {
        try (Interrupts ignored = Interrupts.cleared()) {
            return allocate(resolve(request), bindFollows);
        }
    }

    private Allocation allocate(Resolved r, boolean bindFollows) {
        Listening listening = new Listening();
        if (r.owner() != null) {
            Allocation taken = takeOverReservation(r);
            if (taken != null) {
                return taken;
            }
        }
        String refusal = null;
        if (r.preferred() > 0 && !r.excluded().contains(r.preferred())) {
            refusal = preferredRefusal(r, listening, bindFollows);
            if (refusal == null) {
                Allocation a = tryClaim(r.preferred(), r, "preferred port " + r.preferred() + " is free");
                if (a != null) {
                    return remember(a);
                }
                refusal = describeHolder(r.preferred(), r, listening);
            }
        } else if (r.preferred() > 0) {
            // Its bind failed: name what holds it when the kernel's table shows a listener.
            refusal = listening.get().isListening(r.preferred()) ? describeHolder(r.preferred(), r, listening)
                    : r.preferred() + " failed to bind";
        }
        String moved = refusal == null ? "" : refusal + "; ";
        int sticky = state.stickyPort(r.stickyKey());
        if (sticky > 0 && sticky != r.preferred() && isCandidate(sticky, r, listening)
                && (r.mode() != AllocationRequest.Mode.STRICT || r.range().contains(sticky))) {
            Allocation a = tryClaim(sticky, r, moved + "previous port of " + r.instance());
            if (a != null) {
                return remember(a);
            }
        }
        Allocation a = scan(r.range(), r, listening, moved + "next free port of " + r.range());
        if (a == null && !r.range().type().equals(PortManagerConfig.DYNAMIC_TYPE)) {
            PortRange pool = config.ranges().get(PortManagerConfig.DYNAMIC_TYPE);
            if (pool != null) {
                a = scan(pool, r, listening, moved + r.range() + " is full; dynamic pool");
            }
        }
        if (a == null) {
            throw new RangeExhaustedException(exhaustedMessage(r));
        }
        return remember(a);
    }

    /**
     * Runs the grant path's checks, claim codec and record lock once, writing no claim: a host that opens the manager
     * ahead of the first allocation (the agent, beside the app's start) has the classes loaded by the time it comes,
     * so the first grant costs what later ones cost. A bad request is ignored here; the real one reports it.
     */
    public void warmUp(AllocationRequest request) {
        try (Interrupts ignored = Interrupts.cleared()) {
            Resolved r = resolve(request);
            state.reservedPorts(r.service());
            int likely = r.preferred() > 0 ? r.preferred() : r.range().start();
            // The claim's update under the record's exclusive lock, with the owner-lock probe, leaving the record as
            // found: the JDK's file-lock classes, the locked read and the update's own classes are what a first
            // grant otherwise loads while the app's bind waits for it. A grant that finds the port taken runs the
            // same steps.
            state.withPortLocked(likely, new LeaveAsFound());
            long now = System.currentTimeMillis();
            Allocation sample = grant(likely, r, 1, now, "warm-up");
            // Built, never run: this loads and verifies the classes of the grant's locked step and the kernel-table
            // holder it reads through, and of the listening mark's locked step.
            new Listening();
            new ClaimAction(likely, r, "warm-up");
            new MarkListeningAction(sample, null, null);
            Claim.decode(released(new Claim(sample, 0), now).encode());
        } catch (RuntimeException | Claim.DamagedException e) {
            // nothing warmed: the first grant loads what it needs
        }
    }

    /** A locked step that writes nothing: what {@link #warmUp} runs in place of a claim. */
    private static final class LeaveAsFound implements StateDirectory.LockedAction<Allocation> {
        @Override
        public Allocation apply(Claim current, StateDirectory.ClaimWriter writer) {
            return null;
        }
    }

    /**
     * Indexes a reservation. An owned grant is remembered as the instance's sticky port later, once it listens
     * or is released: a port worth coming back to, and a file write kept off the allocation path.
     */
    private Allocation remember(Allocation a) {
        if (a.state() == AllocationState.RESERVED) {
            state.indexReservation(a.service(), a.port());
        }
        return a;
    }

    /** Where an instance's last port is remembered: one key per instance and endpoint. */
    static String stickyKey(String instance, String endpoint) {
        return instance + "#" + endpoint;
    }

    /** Records the port an instance held, so that it gets it back when it asks again (unless already recorded). */
    private void rememberSticky(Allocation a) {
        if (a.pid() == 0) {
            return;
        }
        String key = stickyKey(a.instance(), a.endpoint());
        if (state.stickyPort(key) != a.port()) {
            state.rememberSticky(key, a.port());
        }
    }

    /** Why the preferred port may not be granted, or null when it may be tried. */
    private String preferredRefusal(Resolved r, Listening listening, boolean bindFollows) {
        int p = r.preferred();
        if (r.mode() == AllocationRequest.Mode.STRICT && !r.range().contains(p)) {
            return p + " is outside the " + r.range() + " range (strict mode)";
        }
        PortRange home = config.rangeContaining(p);
        if (home != null && home.priority() == 1 && !home.type().equals(r.range().type())) {
            return p + " lies in the " + home + " range (priority 1, kept for " + home.type() + ")";
        }
        if (!bindFollows && listening.get().isListening(p)) {
            return describeHolder(p, r, listening);
        }
        return null;
    }

    /**
     * Who holds a port, for the "why it moved" part of a log line: the first thing that really stops it. A live
     * allocation, then a process listening on it (the kernel's table), then a cool-down, which never stops the
     * instance that released the port.
     */
    private String describeHolder(int port, Resolved r, Listening listening) {
        long now = System.currentTimeMillis();
        Claim c = state.read(port);
        if (c != null && isLive(c, now)) {
            Allocation a = c.allocation();
            return port + " allocated to " + a.service() + (a.pid() != 0 ? " (pid " + a.pid() + ")" : " (reserved)");
        }
        List<ListeningSockets.Listener> ls = listening.get().listeners(port);
        if (ls.isEmpty()) {
            ls = sockets.fresh().listeners(port);
        }
        if (!ls.isEmpty()) {
            ProcessTable.ProcessInfo p = ProcessTable.holderOf(ls, ProcessTable.ownersOf(ProcessTable.inodesOf(ls)));
            return port + (p != null ? " held by " + p.describe() : " held by another process");
        }
        if (c != null && isCooling(c, now) && !sameInstance(c, r)) {
            return port + " was just released by " + c.allocation().service() + " and is cooling down";
        }
        return port + " is taken";
    }

    private boolean isCandidate(int port, Resolved r, Listening listening) {
        return !r.excluded().contains(port) && !ephemeral().contains(port) && !listening.get().isListening(port);
    }

    private EphemeralRange ephemeral() {
        EphemeralRange e = ephemeral;
        if (e == null) {
            e = EphemeralRange.read();
            ephemeral = e;
        }
        return e;
    }

    /**
     * The kernel's listening table for one allocation, read when a rule first needs it (reading it walks the
     * kernel's whole TCP hash table: milliseconds of system time that a free preferred port never needs).
     */
    private final class Listening {
        private ListeningSockets.Snapshot snapshot;

        ListeningSockets.Snapshot get() {
            if (snapshot == null) {
                snapshot = sockets.snapshot();
            }
            return snapshot;
        }
    }

    private Allocation scan(PortRange range, Resolved r, Listening listening, String reason) {
        AtomicInteger cursor = cursors.computeIfAbsent(range.type(), t -> new AtomicInteger());
        int size = range.size();
        int first = Math.floorMod(cursor.get(), size);
        for (int i = 0; i < size; i++) {
            int offset = (first + i) % size;
            int port = range.start() + offset;
            if (port == r.preferred() || !isCandidate(port, r, listening)) {
                continue;
            }
            Allocation a = tryClaim(port, r, reason);
            if (a != null) {
                cursor.set(offset + 1);
                return a;
            }
        }
        return null;
    }

    /** Grants {@code port} if its claim allows it; null when someone else holds it or it is cooling down. */
    private Allocation tryClaim(int port, Resolved r, String reason) {
        return state.withPortLocked(port, new ClaimAction(port, r, reason));
    }

    /** The locked step of {@link #tryClaim}. A class, not a lambda: a first bind pays for every lambda it meets. */
    private final class ClaimAction implements StateDirectory.LockedAction<Allocation> {
        private final int port;
        private final Resolved r;
        private final String reason;

        ClaimAction(int port, Resolved r, String reason) {
            this.port = port;
            this.r = r;
            this.reason = reason;
        }

        @Override
        public Allocation apply(Claim current, StateDirectory.ClaimWriter writer) throws java.io.IOException {
            long now = System.currentTimeMillis();
            if (current != null && !isFreeFor(current, r, now)) {
                if (isStale(current, now)) {
                    writer.write(released(current, now)); // reap a stale claim: the cool-down starts now
                }
                return null;
            }
            Allocation a = grant(port, r, current == null ? 1 : current.allocation().generation() + 1, now, reason);
            writer.write(new Claim(a, 0));
            return a;
        }
    }

    /** The allocation a request gets for a port: owned (ALLOCATED) or, without an owner, RESERVED. */
    private Allocation grant(int port, Resolved r, long generation, long now, String reason) {
        Owner o = r.owner();
        return new Allocation(host, port, r.service(), r.type(), r.instance(), r.endpoint(), r.preferred(), null,
                o == null ? 0 : o.pid(), o == null ? 0 : o.startEpochMillis(), now, r.leaseMillis(),
                now + r.leaseMillis(), o == null ? AllocationState.RESERVED : AllocationState.ALLOCATED, generation,
                reason);
    }

    /** The owner process takes over a live reservation made for its service. */
    private Allocation takeOverReservation(Resolved r) {
        for (int port : state.reservedPorts(r.service())) {
            Allocation a = state.withPortLocked(port, (current, writer) -> {
                long now = System.currentTimeMillis();
                if (current == null || current.state() != AllocationState.RESERVED
                        || !current.allocation().service().equals(r.service())
                        || current.allocation().leaseUntil() <= now) {
                    return null;
                }
                Allocation owned = grant(port, r, current.allocation().generation() + 1, now,
                        (r.preferred() > 0 && r.preferred() != port ? r.preferred() + " requested; " : "")
                                + "reserved ahead for " + r.service());
                writer.write(new Claim(owned, 0));
                return owned;
            });
            state.unindexReservation(r.service(), port);
            if (a != null) {
                state.rememberSticky(r.stickyKey(), port);
                return a;
            }
        }
        return null;
    }

    // ---- claim judgements (shared with the views) ------------------------------------------------------------

    /** A claim that holds its port right now. */
    public static boolean isLive(Claim c, long now) {
        Allocation a = c.allocation();
        return switch (a.state()) {
            case RELEASED -> false;
            case RESERVED -> a.leaseUntil() > now;
            case ALLOCATED, LISTENING -> ownerAlive(c);
        };
    }

    /**
     * Whether a held claim's owner still runs. The owner lock decides when there is one: held means alive (in any
     * pid namespace), free after the owner itself held it means it died. Without one to go by (a claim made for
     * another process, or a hand-over whose watching launcher is gone) the pid decides, but only in the pid
     * namespace it was written in: from another one (another container) the claim is kept until released.
     */
    static boolean ownerAlive(Claim c) {
        if (c.ownerLock() == Claim.OwnerLock.HELD) {
            return true;
        }
        Owner owner = c.allocation().owner();
        if (owner == null) {
            return false;
        }
        if (c.ownerLock() == Claim.OwnerLock.FREE && c.lockHolder() != null
                && c.lockHolder().startsWith(owner.token() + "@")) {
            return false; // the kernel dropped the owner's lock: it died (or let go without saying so)
        }
        String written = c.pidNamespace();
        String here = PidNamespace.current();
        if (written != null && here != null && !written.equals(here)) {
            return true;
        }
        return owner.isAlive();
    }

    /**
     * A record written by {@link #recordListening}: a port the application bound itself (port 0, the kernel's
     * choice). Its record exists only while the socket is open; closing it erases the record (no cool-down: no one
     * is ever granted such a port by the rules).
     */
    static boolean isSelfBound(Allocation a) {
        return a.requestedPort() == 0 && SELF_BOUND.equals(a.reason());
    }

    private static final String SELF_BOUND = "bound by the application itself";

    /** A claim that still says it holds its port although its owner died or its lease ended. */
    public static boolean isStale(Claim c, long now) {
        return c.state() != AllocationState.RELEASED && !isLive(c, now);
    }

    private boolean isCooling(Claim c, long now) {
        return c.state() == AllocationState.RELEASED && now < c.releasedAt() + config.cooldown().toMillis();
    }

    private boolean isFreeFor(Claim c, Resolved r, long now) {
        if (c.ownerLock() == Claim.OwnerLock.HELD) {
            return false; // its holder has not let go yet (released by someone else while it still runs)
        }
        if (c.state() == AllocationState.RELEASED) {
            return !isCooling(c, now) || sameInstance(c, r);
        }
        // Held, or stale (owner gone, lease over): a stale claim is reaped first and its cool-down starts; only
        // its own instance may take it at once.
        return !isLive(c, now) && sameInstance(c, r);
    }

    private static boolean sameInstance(Claim c, Resolved r) {
        Allocation a = c.allocation();
        return a.service().equals(r.service()) && a.instance().equals(r.instance())
                && a.endpoint().equals(r.endpoint());
    }

    /** Marks a claim released (its cool-down starts now), or erases the record of a self-bound port. */
    private static void releaseRecord(Claim current, StateDirectory.ClaimWriter writer) throws java.io.IOException {
        if (isSelfBound(current.allocation())) {
            writer.erase();
        } else {
            writer.write(released(current, System.currentTimeMillis()));
        }
    }

    static Claim released(Claim c, long now) {
        return new Claim(c.allocation().withState(AllocationState.RELEASED), now);
    }

    // ---- state changes after the grant ------------------------------------------------------------------------

    /**
     * Marks the allocation's port as listening if the claim is still the same grant; empty otherwise.
     * {@code newOwner}, when not null, becomes the owner (a launcher handing the port to its child).
     */
    public Optional<Allocation> markListening(Allocation a, String advertised, Owner newOwner) {
        try (Interrupts ignored = Interrupts.cleared()) {
            return markListeningNow(a, advertised, newOwner);
        }
    }

    private Optional<Allocation> markListeningNow(Allocation a, String advertised, Owner newOwner) {
        Allocation listening = state.withPortLocked(a.port(), new MarkListeningAction(a, advertised, newOwner));
        if (listening == null) {
            return Optional.empty();
        }
        rememberSticky(listening);
        return Optional.of(listening);
    }

    /** Whether the port's claim is still the grant {@code a} made, and not released since. */
    private static boolean isStillGranted(Claim current, Allocation a) {
        return current != null && current.allocation().generation() == a.generation()
                && current.state() != AllocationState.RELEASED;
    }

    /** The locked step of {@link #markListening} (a class for the reason {@link ClaimAction} is one). */
    private static final class MarkListeningAction implements StateDirectory.LockedAction<Allocation> {
        private final Allocation a;
        private final String advertised;
        private final Owner newOwner;

        MarkListeningAction(Allocation a, String advertised, Owner newOwner) {
            this.a = a;
            this.advertised = advertised;
            this.newOwner = newOwner;
        }

        @Override
        public Allocation apply(Claim current, StateDirectory.ClaimWriter writer) throws java.io.IOException {
            if (!isStillGranted(current, a)) {
                return null;
            }
            long now = System.currentTimeMillis();
            Allocation listening = current.allocation().withState(AllocationState.LISTENING)
                    .withAdvertised(advertised).withLeaseUntil(now + current.allocation().leaseMillis());
            if (newOwner != null) {
                listening = listening.withOwner(newOwner);
            }
            writer.write(new Claim(listening, 0));
            return listening;
        }
    }

    /**
     * The instance's own port held by another live process of the same service, instance and endpoint (its
     * sticky port, listening): what a successor binding with SO_REUSEPORT shares during a zero-downtime restart.
     * Null when there is none. Reads only.
     */
    public Allocation listeningPeer(AllocationRequest request, Owner self) {
        Resolved r = resolve(request);
        int sticky = state.stickyPort(r.stickyKey());
        if (sticky <= 0) {
            return null;
        }
        Claim c = state.read(sticky);
        if (c == null || c.state() != AllocationState.LISTENING || !sameInstance(c, r)
                || !isLive(c, System.currentTimeMillis())) {
            return null;
        }
        Owner holder = c.allocation().owner();
        return holder == null || holder.equals(self) ? null : c.allocation();
    }

    /**
     * Hands a listening claim to {@code newOwner}, which has just bound the same port beside its holder (an
     * SO_REUSEPORT hand-over): a new generation, so the old holder's later release or renewal changes nothing.
     * Empty when the claim is no longer that grant.
     */
    public Optional<Allocation> takeOver(Allocation peer, String advertised, Owner newOwner) {
        return Optional.ofNullable(state.withPortLocked(peer.port(), (current, writer) -> {
            if (current == null || current.allocation().generation() != peer.generation()
                    || current.state() != AllocationState.LISTENING) {
                return null;
            }
            Allocation old = current.allocation();
            long now = System.currentTimeMillis();
            Allocation taken = new Allocation(host, old.port(), old.service(), old.type(), old.instance(),
                    old.endpoint(), old.requestedPort(), advertised, newOwner.pid(), newOwner.startEpochMillis(), now,
                    old.leaseMillis(), now + old.leaseMillis(), AllocationState.LISTENING, old.generation() + 1,
                    "taken over from pid " + old.pid() + " (SO_REUSEPORT hand-over)");
            writer.write(new Claim(taken, 0));
            return taken;
        }));
    }

    /**
     * Records a port this process bound outside the rules (port 0, or an unmanaged port) as listening. Leaves a
     * live claim of another owner untouched (the conflict view reports it) and then returns an unsaved record.
     */
    public Allocation recordListening(String service, String type, String endpoint, int port, String advertised,
                                      Owner owner) {
        checkName(service, "service");
        checkName(endpoint, "endpoint");
        // withPortLocked keeps the caller's interrupt flag away from the file itself.
        return state.withPortLocked(port, (current, writer) -> {
            long now = System.currentTimeMillis();
            long lease = config.lease().toMillis();
            long generation = current == null ? 1 : current.allocation().generation() + 1;
            Allocation a = new Allocation(host, port, service, type, service, endpoint, 0, advertised, owner.pid(),
                    owner.startEpochMillis(), now, lease, now + lease, AllocationState.LISTENING, generation,
                    SELF_BOUND);
            if (current == null || !isLive(current, now) || owner.equals(current.allocation().owner())) {
                writer.write(new Claim(a, 0));
            }
            return a;
        });
    }

    /** Releases the allocation if it is still the same grant. */
    public boolean release(Allocation a) {
        try (Interrupts ignored = Interrupts.cleared()) {
            return releaseNow(a);
        }
    }

    private boolean releaseNow(Allocation a) {
        Boolean done = state.withPortLocked(a.port(), new LetGoAction(a, false));
        // The socket was (or is about to be) closed: a rebind right after must not see it in a cached table.
        sockets.forget(a.port());
        if (done && !isSelfBound(a)) {
            rememberSticky(a);
        }
        if (done && a.state() == AllocationState.RESERVED) {
            state.unindexReservation(a.service(), a.port());
        }
        return done;
    }

    /**
     * Takes back a grant whose bind failed ({@link #allocate(AllocationRequest, boolean)}): the record is erased
     * when the grant was the port's first claim, else marked released with no cool-down; the instance's sticky port
     * stays what it was. The port was never this instance's to come back to, and whatever holds it keeps it.
     */
    public boolean withdraw(Allocation a) {
        try (Interrupts ignored = Interrupts.cleared()) {
            Boolean done = state.withPortLocked(a.port(), new LetGoAction(a, true));
            if (done && a.state() == AllocationState.RESERVED) {
                state.unindexReservation(a.service(), a.port());
            }
            return done;
        }
    }

    /**
     * The locked step of {@link #release(Allocation)} and {@link #withdraw}: lets the claim go if it is still the
     * same grant. A class, not a lambda: the agent releases at exit, and every lambda costs start-up time.
     */
    private static final class LetGoAction implements StateDirectory.LockedAction<Boolean> {
        private final Allocation a;
        private final boolean withdraw;

        LetGoAction(Allocation a, boolean withdraw) {
            this.a = a;
            this.withdraw = withdraw;
        }

        @Override
        public Boolean apply(Claim current, StateDirectory.ClaimWriter writer) throws java.io.IOException {
            if (!isStillGranted(current, a)) {
                return false;
            }
            if (withdraw && a.generation() == 1) {
                writer.erase(); // the port had never been claimed: leave no trace of a grant that never bound
            } else if (withdraw) {
                writer.write(new Claim(current.allocation().withState(AllocationState.RELEASED), 0)); // no cool-down
            } else {
                releaseRecord(current, writer);
            }
            return true;
        }
    }

    /** Releases whatever live or stale claim holds the port. */
    public Optional<Allocation> release(int port) {
        if (port < 1 || port > 65535) {
            throw new InvalidRequestException("port " + port + " is out of range; accepted: 1-65535");
        }
        Allocation done = state.withPortLocked(port, (current, writer) -> {
            if (current == null || current.state() == AllocationState.RELEASED) {
                return null;
            }
            releaseRecord(current, writer);
            return current.allocation();
        });
        if (done != null && done.state() == AllocationState.RESERVED) {
            state.unindexReservation(done.service(), done.port());
        }
        return Optional.ofNullable(done);
    }

    private String exhaustedMessage(Resolved r) {
        StringBuilder msg = new StringBuilder("no free port for " + r.service() + " (type " + r.type() + "): range "
                + r.range() + " is full");
        PortRange pool = config.ranges().get(PortManagerConfig.DYNAMIC_TYPE);
        if (pool != null && pool != r.range()) {
            msg.append(" and so is the dynamic pool ").append(pool.start()).append('-').append(pool.end());
        }
        Map<String, Integer> holders = new java.util.TreeMap<>();
        long now = System.currentTimeMillis();
        for (Claim c : state.readAll()) {
            if (r.range().contains(c.allocation().port()) && isLive(c, now)) {
                holders.merge(c.allocation().service(), 1, Integer::sum);
            }
        }
        if (!holders.isEmpty()) {
            List<String> parts = new ArrayList<>();
            holders.forEach((s, n) -> parts.add(s + " x" + n));
            msg.append("; held by ").append(String.join(", ", parts));
        }
        return msg.toString();
    }
}
