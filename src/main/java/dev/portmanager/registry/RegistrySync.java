package dev.portmanager.registry;

import dev.portmanager.Allocation;
import dev.portmanager.config.ConfigException;
import dev.portmanager.config.PortManagerConfig;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Publishes this process's allocations to a {@link Registry} in the background and keeps them alive: each tracked
 * allocation is published soon after {@link #track}, renewed every {@code renewEvery} (a third of the lease), and
 * withdrawn soon after {@link #untrack}. Nothing here ever blocks the caller on the network.
 *
 * <p>One daemon thread, {@value #THREAD_NAME}, does all the work; when built from a factory it also creates the
 * registry there, since a Redis client costs seconds and thousands of classes. This class itself loads no logging
 * or Redis class on the caller's thread.
 *
 * <p>Outages: while the registry is unreachable everything stays pending and is retried every interval; one line
 * is logged when it goes down and one when it is back. When it is back, every tracked allocation is published at
 * once (the publish is an upsert, so an empty Redis is refilled), and the next reap pass is skipped so that
 * entries whose owners had no chance to renew are not removed. A renewal answered CREATED means the registry lost
 * the entry (Redis restarted empty): everything tracked is republished in the same pass. An allocation answered
 * SUPERSEDED belongs to a newer grant and is no longer renewed.
 *
 * <p>Long outages: memory stays bounded by the number of ports, never by the outage's length: one tracked entry
 * and at most one pending withdrawal per host:port (a newer change replaces an older one). When the registry
 * answers again, renewals of entries it already had go first, since their leases are running out; first
 * publications and withdrawals (the backlog) follow. Entries published with an absolute deadline
 * ({@link #publishUntil}, reservations) are sent with what is left of it, and dropped once it passed, so an
 * outage never extends them.
 */
public final class RegistrySync implements AutoCloseable {
    public static final String THREAD_NAME = "portmanager-registry";
    /** How long {@link #close()} spends withdrawing before it gives up (entries then expire with their lease). */
    static final long CLOSE_TIMEOUT_MILLIS = 2_000;
    /**
     * While the registry is down, retries are this far apart at most (less for short leases): a failover takes
     * seconds, and the entries it interrupted must be renewed before their lease ends.
     */
    private static final long MAX_RETRY_NANOS = 1_000_000_000L;
    /** A service name nobody uses: looked up to learn whether the registry is back when there is nothing to send. */
    private static final String PROBE_SERVICE = "portmanager-probe";

    private final Supplier<? extends Registry> factory;
    private final long renewNanos;
    private final Object lock = new Object();
    private final Thread worker;

    // guarded by lock
    private final Map<String, Entry> tracked = new LinkedHashMap<>();
    /** Pending withdrawals, one per host:port: the latest grant asked for wins. */
    private final Map<String, Allocation> withdrawals = new LinkedHashMap<>();
    private boolean closing;
    private boolean failedForGood;
    private long failedPasses; // passes that found the registry unreachable; flush stops waiting at the next one

    // touched by the worker only, or volatile for readers
    private volatile Registry registry;
    /** When the worker may create the client (System.nanoTime), unless a reader asks for it sooner. */
    private final long startAt;
    private boolean startRequested;
    /**
     * How long after its creation a sync waits before it creates the Redis client, unless a read needs the registry
     * sooner (see {@link #deferClientCreation}). Zero: at once.
     */
    private static volatile long clientDelayNanos;
    private volatile boolean available;
    private boolean down;
    private boolean skipNextReap = true;
    private long notBefore;
    private long nextReap;

    /**
     * Syncs into an existing registry, which this object closes on {@link #close()}.
     *
     * @param renewEvery renewal interval, normally a third of the lease
     */
    public RegistrySync(Registry registry, Duration renewEvery) {
        this(new Given(registry), renewEvery);
    }

    /**
     * Syncs into a registry that {@code factory} creates on the background thread (never on the caller's).
     *
     * @param renewEvery renewal interval, normally a third of the lease
     */
    public RegistrySync(Supplier<? extends Registry> factory, Duration renewEvery) {
        if (factory == null || renewEvery == null || renewEvery.isNegative() || renewEvery.isZero()) {
            throw new IllegalArgumentException("RegistrySync needs a registry and a positive renewal interval");
        }
        this.factory = factory;
        this.renewNanos = renewEvery.toNanos();
        long now = System.nanoTime();
        this.nextReap = now + renewNanos;
        this.startAt = now + clientDelayNanos;
        this.worker = new Thread(new Worker(), THREAD_NAME);
        worker.setDaemon(true);
        worker.start();
    }

    /**
     * Makes syncs created from now on wait {@code delay} before they create the Redis client (loading it costs about
     * a second and a half of CPU and ~2,800 classes), unless a read asks for the registry sooner or the sync closes
     * first (then, having published nothing, it has nothing to withdraw). For a host that starts beside an
     * application's own start-up: the agent, whose app should not compete with Lettuce for the CPU while it starts.
     * Publications wait that long too.
     */
    public static void deferClientCreation(Duration delay) {
        clientDelayNanos = delay.toNanos();
    }

    /**
     * The Redis registry a configuration names, created lazily on the background thread, renewed every third of
     * the configured lease. The URI is checked here (cheaply, without Lettuce) so that a typo fails at once.
     *
     * @throws ConfigException for a malformed store URI or prefix
     */
    public static RegistrySync forConfig(PortManagerConfig config) {
        RedisStoreUri.parse(config.store());
        new RedisKeys(config.redisPrefix());
        return new RegistrySync(new RedisFactory(config), config.lease().dividedBy(3));
    }

    /** Publish {@code a} soon and keep renewing it; replaces whatever was tracked for the same host:port. */
    public void track(Allocation a) {
        synchronized (lock) {
            if (closing) {
                return;
            }
            Entry e = tracked.get(a.hostPort());
            if (e == null) {
                tracked.put(a.hostPort(), new Entry(a));
            } else {
                e.allocation = a;
                e.published = false;
                e.dirty = true;
                e.once = false;
                e.deadlineMillis = 0;
            }
            Allocation pending = withdrawals.get(a.hostPort());
            if (pending != null && pending.generation() < a.generation()) {
                withdrawals.remove(a.hostPort()); // the newer grant's publish replaces the older entry anyway
            }
            lock.notifyAll();
        }
    }

    /**
     * Publishes {@code a} once, soon, with a lease ending at {@code deadlineMillis} (wall-clock epoch ms), then
     * leaves it to that lease: not renewed, not withdrawn at close. The lease sent is what is left of the deadline
     * when the publish actually happens, and nothing is sent once it passed, so an outage cannot extend it. Used
     * for reservations, which end when their ttl does whoever made them.
     */
    public void publishUntil(Allocation a, long deadlineMillis) {
        synchronized (lock) {
            if (closing) {
                return;
            }
            Entry e = new Entry(a);
            e.once = true;
            e.deadlineMillis = deadlineMillis;
            tracked.put(a.hostPort(), e);
            lock.notifyAll();
        }
    }

    /** Stop renewing {@code a} and withdraw it soon (only if the registry still holds this very grant). */
    public void untrack(Allocation a) {
        synchronized (lock) {
            if (closing) {
                return;
            }
            Entry e = tracked.get(a.hostPort());
            if (e != null && sameGrant(e.allocation, a)) {
                tracked.remove(a.hostPort());
            }
            withdrawals.put(a.hostPort(), a);
            lock.notifyAll();
        }
    }

    /**
     * Stops renewing {@code a} without withdrawing it: the entry stays in the registry until its lease ends.
     * Used for reservations, which must end when their ttl does whoever made them. If {@code a} has not been
     * published yet, it still is, once.
     */
    public void forget(Allocation a) {
        synchronized (lock) {
            Entry e = tracked.get(a.hostPort());
            if (e != null && sameGrant(e.allocation, a)) {
                if (e.dirty) {
                    e.once = true; // publish the pending value, then drop it
                } else {
                    tracked.remove(a.hostPort());
                }
            }
            lock.notifyAll();
        }
    }

    /**
     * Waits until nothing is pending: every tracked allocation published since it last changed, every untracked
     * one withdrawn. Returns false if that did not happen in time, or as soon as an attempt finds the registry
     * unreachable (a down registry is not waited for: its retries come later, in the background). A slow but
     * answering registry, such as a first connection on a busy machine, is waited for up to {@code timeout}.
     */
    public boolean flush(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (lock) {
            if (!startRequested) {
                startRequested = true; // the caller wants the pending work done now: no more deferral
                lock.notifyAll();
            }
            long failuresBefore = failedPasses;
            while (pending()) {
                long left = deadline - System.nanoTime();
                if (left <= 0 || failedForGood || closing || failedPasses != failuresBefore) {
                    return !pending();
                }
                if (!waitOn(left)) {
                    return !pending();
                }
            }
            return true;
        }
    }

    /** The registry, once the background thread has created it (it may still be unreachable). */
    public Optional<Registry> registry() {
        return Optional.ofNullable(registry);
    }

    /**
     * Waits until the background thread has created the registry, at most {@code timeout}; returns at once, empty,
     * when it never will (a bad URI) or this sync is closed. For reads right after start-up.
     */
    public Optional<Registry> awaitRegistry(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (lock) {
            if (!startRequested) {
                startRequested = true; // a reader needs the client now: no more deferral
                lock.notifyAll();
            }
            while (registry == null && !failedForGood && !closing) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                if (!waitOn(left)) {
                    break;
                }
            }
            return Optional.ofNullable(registry);
        }
    }

    /** True when the last exchange with the registry succeeded. */
    public boolean isAvailable() {
        return available;
    }

    /** The allocations being kept alive, for status views. */
    public List<Allocation> tracked() {
        synchronized (lock) {
            List<Allocation> out = new ArrayList<>(tracked.size());
            for (Entry e : tracked.values()) {
                out.add(e.allocation);
            }
            return out;
        }
    }

    /**
     * Withdraws everything tracked (bounded by a short timeout: what is left expires with its lease), then closes
     * the registry and its client.
     */
    @Override
    public void close() {
        synchronized (lock) {
            if (closing) {
                return;
            }
            closing = true;
            lock.notifyAll();
        }
        try {
            worker.join(CLOSE_TIMEOUT_MILLIS + 1_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ---- the background thread --------------------------------------------------------------------------------

    private final class Worker implements Runnable {
        @Override
        public void run() {
            try {
                loop();
            } finally {
                Registry r = registry;
                if (r != null) {
                    try {
                        r.close();
                    } catch (RuntimeException e) {
                        SyncLog.closeFailed(r, e);
                    }
                }
                synchronized (lock) {
                    lock.notifyAll();
                }
            }
        }
    }

    private void loop() {
        // Readers (lookup, views in a process that publishes nothing) need the client too: create it now rather
        // than when the first piece of work falls due (after the deferral, when one was asked for).
        if (awaitStart()) {
            ensureRegistry();
        }
        while (true) {
            List<Allocation> toWithdraw;
            List<Entry> toPublish;
            List<Allocation> values;
            List<Long> deadlines;
            int renewals = 0;
            boolean reapNow;
            synchronized (lock) {
                long wait;
                while (!closing && (wait = untilWork(System.nanoTime())) > 0) {
                    if (!waitOn(wait)) {
                        Thread.interrupted(); // the final withdrawals still need the network
                        closing = true; // nothing but the JVM interrupts this daemon thread: treat it as close()
                    }
                }
                if (closing) {
                    break;
                }
                long now = System.nanoTime();
                toWithdraw = new ArrayList<>(withdrawals.values());
                toPublish = new ArrayList<>();
                values = new ArrayList<>();
                deadlines = new ArrayList<>();
                dropPassedDeadlines();
                // renewals falling due within a tenth of an interval go now, so wake-ups batch up; renewals of
                // entries the registry already holds go first (after an outage, their leases are the ones running
                // out), then the backlog: withdrawals, then first publications (a new grant of a host:port must
                // find the old one withdrawn, or it would be refused as superseded)
                long horizon = now + renewNanos / 10;
                for (int round = 0; round < 2; round++) {
                    for (Entry e : tracked.values()) {
                        if ((e.dirty || e.due - horizon <= 0) && e.published == (round == 0)) {
                            toPublish.add(e);
                            values.add(e.allocation);
                            deadlines.add(e.deadlineMillis);
                        }
                    }
                    if (round == 0) {
                        renewals = toPublish.size();
                    }
                }
                reapNow = now - nextReap >= 0;
            }
            Registry r = ensureRegistry();
            if (r == null) {
                continue;
            }
            boolean wasDown = down;
            try {
                publish(r, toPublish.subList(0, renewals), values.subList(0, renewals),
                        deadlines.subList(0, renewals));
                withdraw(r, toWithdraw);
                publish(r, toPublish.subList(renewals, toPublish.size()), values.subList(renewals, values.size()),
                        deadlines.subList(renewals, deadlines.size()));
                if (wasDown && toWithdraw.isEmpty() && toPublish.isEmpty()) {
                    r.lookup(PROBE_SERVICE); // nothing else to send: a cheap read proves the registry answers
                }
                up(r, toPublish); // before reaping: the pass that ends an outage must not reap
                if (reapNow) {
                    reap(r);
                }
            } catch (RuntimeException e) {
                down(r, e);
            }
            synchronized (lock) {
                lock.notifyAll();
            }
        }
        finalPass();
    }

    /** Waits out the deferral of the client's creation; false when the sync closed meanwhile. */
    private boolean awaitStart() {
        synchronized (lock) {
            long left;
            while (!closing && !startRequested && (left = startAt - System.nanoTime()) > 0) {
                if (!waitOn(left)) {
                    Thread.interrupted();
                    closing = true;
                }
            }
            return !closing;
        }
    }

    /** Nanos until the next piece of work is due; 0 or less when something is due now. */
    private long untilWork(long now) {
        if (failedForGood) {
            return Long.MAX_VALUE;
        }
        if (now - notBefore < 0) {
            return notBefore - now;
        }
        if (!withdrawals.isEmpty()) {
            return 0;
        }
        long next = nextReap - now;
        for (Entry e : tracked.values()) {
            if (e.dirty) {
                return 0;
            }
            next = Math.min(next, e.due - now);
        }
        return next;
    }

    private Registry ensureRegistry() {
        Registry r = registry;
        if (r != null) {
            return r;
        }
        try {
            r = factory.get();
            synchronized (lock) {
                registry = r;
                lock.notifyAll();
            }
            return r;
        } catch (ConfigException e) {
            // a bad URI will not fix itself: say so once and stop trying
            synchronized (lock) {
                failedForGood = true;
                lock.notifyAll();
            }
            SyncLog.misconfigured(e);
            return null;
        } catch (RuntimeException e) {
            down(null, e);
            return null;
        }
    }

    private void withdraw(Registry r, List<Allocation> toWithdraw) {
        for (Allocation a : toWithdraw) {
            r.withdraw(a);
            synchronized (lock) {
                withdrawals.remove(a.hostPort(), a); // unless a newer withdrawal replaced it meanwhile
            }
        }
    }

    private void publish(Registry r, List<Entry> entries, List<Allocation> values, List<Long> deadlines) {
        boolean republishAll = false;
        for (int i = 0; i < entries.size(); i++) {
            Entry e = entries.get(i);
            Allocation a = values.get(i);
            long deadline = deadlines.get(i);
            if (deadline != 0 && deadline <= System.currentTimeMillis()) {
                synchronized (lock) {
                    tracked.remove(a.hostPort(), e); // its time ran out before the registry could take it
                }
                continue;
            }
            Registry.PublishOutcome outcome = r.publish(deadline == 0 ? a : leaseLeft(a, deadline));
            synchronized (lock) {
                if (outcome == Registry.PublishOutcome.CREATED && e.published && !e.dirty) {
                    // the registry had this entry and lost it: Redis restarted empty, or our lease ran out
                    republishAll = true;
                }
                if (e.allocation != a || tracked.get(a.hostPort()) != e) {
                    continue; // changed or untracked meanwhile: the next pass handles the new value
                }
                if (outcome == Registry.PublishOutcome.SUPERSEDED) {
                    tracked.remove(a.hostPort());
                    SyncLog.superseded(r, a);
                    continue;
                }
                e.published = true;
                e.dirty = false;
                e.due = System.nanoTime() + renewNanos;
                if (e.once) {
                    tracked.remove(a.hostPort());
                }
            }
        }
        if (republishAll) {
            SyncLog.lostEntries(r);
            synchronized (lock) {
                for (Entry e : tracked.values()) {
                    e.dirty = true;
                }
            }
        }
    }

    private void reap(Registry r) {
        long now = System.nanoTime();
        synchronized (lock) {
            nextReap = now + renewNanos;
        }
        if (skipNextReap) {
            // right after start or an outage, owners may not have renewed yet: give them one interval
            skipNextReap = false;
            return;
        }
        r.reap(renewNanos / 1_000_000);
    }

    private void up(Registry r, List<Entry> justPublished) {
        SyncStats.passSucceeded();
        available = true;
        notBefore = System.nanoTime();
        if (down) {
            down = false;
            skipNextReap = true;
            int count;
            synchronized (lock) {
                // the registry may have lost everything, or our entries expired while it was away: whatever this
                // pass did not just publish goes out in the next one, at once
                for (Entry e : tracked.values()) {
                    if (!justPublished.contains(e)) {
                        e.dirty = true;
                    }
                }
                count = tracked.size();
            }
            SyncLog.back(r, count);
        }
    }

    private void down(Registry r, RuntimeException e) {
        int renewing = 0;
        synchronized (lock) {
            for (Entry x : tracked.values()) {
                renewing += x.published ? 1 : 0;
            }
        }
        SyncStats.passFailed(renewing);
        available = false;
        synchronized (lock) {
            failedPasses++;
            lock.notifyAll();
        }
        long retry = Math.min(renewNanos, MAX_RETRY_NANOS);
        notBefore = System.nanoTime() + retry;
        if (!down) {
            down = true;
            SyncLog.down(r, e, Duration.ofNanos(retry));
        }
    }

    /** On close: withdraw what we published, within the close timeout. */
    private void finalPass() {
        Registry r = registry;
        List<Allocation> toWithdraw;
        synchronized (lock) {
            toWithdraw = new ArrayList<>(withdrawals.values());
            for (Entry e : tracked.values()) {
                if (e.deadlineMillis != 0) {
                    continue; // published to end at its deadline, whoever made it
                }
                // an entry changed since its last publish may still be in Redis under its previous value;
                // withdraw compares the grant, not the fields, so the current value removes it as well
                if (e.published || e.due != 0) {
                    toWithdraw.add(e.allocation);
                }
            }
            tracked.clear();
            withdrawals.clear();
        }
        // without a registry nothing was ever published, so there is nothing to take back
        if (toWithdraw.isEmpty() || r == null) {
            return;
        }
        long deadline = System.nanoTime() + CLOSE_TIMEOUT_MILLIS * 1_000_000;
        for (Allocation a : toWithdraw) {
            if (System.nanoTime() - deadline > 0) {
                return;
            }
            try {
                r.withdraw(a);
            } catch (RuntimeException e) {
                return; // unreachable: the entries expire with their lease
            }
        }
    }

    // ---- small helpers ----------------------------------------------------------------------------------------

    /** Entries with an absolute deadline that passed are dropped unpublished (guarded by lock). */
    private void dropPassedDeadlines() {
        long now = System.currentTimeMillis();
        Iterator<Entry> it = tracked.values().iterator();
        while (it.hasNext()) {
            Entry e = it.next();
            if (e.deadlineMillis != 0 && e.deadlineMillis <= now) {
                it.remove();
            }
        }
    }

    /** The allocation to publish for an absolute deadline: what is left of it becomes its lease. */
    private static Allocation leaseLeft(Allocation a, long deadlineMillis) {
        long left = Math.max(1, deadlineMillis - System.currentTimeMillis());
        return new Allocation(a.host(), a.port(), a.service(), a.type(), a.instance(), a.endpoint(),
                a.requestedPort(), a.advertised(), a.pid(), a.processStart(), a.createdAt(), left, deadlineMillis,
                a.state(), a.generation(), a.reason());
    }

    private boolean pending() {
        if (!withdrawals.isEmpty()) {
            return true;
        }
        for (Entry e : tracked.values()) {
            if (e.dirty) {
                return true;
            }
        }
        return false;
    }

    /** Waits on the lock; false if the thread was interrupted (its flag is set again for the caller to see). */
    private boolean waitOn(long nanos) {
        long millis = Math.max(1, Math.min(nanos / 1_000_000, Integer.MAX_VALUE));
        try {
            lock.wait(millis);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static boolean sameGrant(Allocation a, Allocation b) {
        return a.generation() == b.generation() && a.ownerToken().equals(b.ownerToken());
    }

    /** One tracked allocation and when it is next due. */
    private static final class Entry {
        Allocation allocation;
        boolean dirty = true;
        boolean published;
        /** Forgotten before its first publish: publish once, never renew. */
        boolean once;
        /** Wall-clock epoch ms at which the lease must end whenever it is published; 0 for a renewed entry. */
        long deadlineMillis;
        long due;

        Entry(Allocation allocation) {
            this.allocation = allocation;
        }
    }

    /** An already created registry. */
    private static final class Given implements Supplier<Registry> {
        private final Registry registry;

        Given(Registry registry) {
            if (registry == null) {
                throw new IllegalArgumentException("RegistrySync needs a registry");
            }
            this.registry = registry;
        }

        @Override
        public Registry get() {
            return registry;
        }
    }

    /** Creates the Redis registry; a class rather than a lambda so nothing is bootstrapped on the caller's thread. */
    private static final class RedisFactory implements Supplier<Registry> {
        private final PortManagerConfig config;

        RedisFactory(PortManagerConfig config) {
            this.config = config;
        }

        @Override
        public Registry get() {
            return RedisRegistry.create(config);
        }
    }
}
