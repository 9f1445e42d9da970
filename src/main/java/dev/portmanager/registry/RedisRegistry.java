package dev.portmanager.registry;

import dev.portmanager.Allocation;
import dev.portmanager.AllocationState;
import dev.portmanager.config.ConfigException;
import dev.portmanager.config.PortManagerConfig;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.sync.RedisCommands;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The registry in Redis, through Lettuce. Every operation is one server-side script (see {@link RegistryScripts}),
 * so one round trip; keys follow {@link RedisKeys}. Every key carries the hash tag {@code {prefix}}, so in a Redis
 * Cluster they all live in one slot: each script touches several keys atomically, which a cluster allows only
 * within one slot. The price is that one master holds the whole registry, which is small (one hash per port).
 *
 * <p>The topology (one server, a cluster found through any one node, or sentinels) is {@link RedisConnector}'s
 * business: a {@code READONLY}, {@code MOVED} or lost connection makes it re-resolve, so a failover costs a few
 * failed calls, never a registry stuck on a dead or demoted master.
 *
 * <p>Creating one costs a Lettuce client (about 1.5 s and thousands of classes): never do it on an application's
 * start-up path; {@link RegistrySync} creates it on its own thread. The connection is opened lazily and reopened
 * after a failure, so a registry created while Redis is down starts working when Redis comes up. While Redis is
 * unreachable, operations fail fast with {@link RegistryUnavailableException} instead of queueing; reads give up
 * after {@link #READ_TIMEOUT} with {@link RegistryTimeoutException}, so a view never waits long on a sick Redis.
 */
public final class RedisRegistry implements Registry {
    private static final Logger LOG = LoggerFactory.getLogger(RedisRegistry.class);
    /** Default for command and connect timeouts unless the URI sets {@code ?timeout=}. */
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(2);
    /** Reads (views, lookups) wait at most this long, connecting included: a stale registry part beats a hang. */
    public static final Duration READ_TIMEOUT = Duration.ofMillis(1000);
    /**
     * A read waits at most this long for the process's first connect (Lettuce's first connect in a cold JVM takes
     * a second or two): long enough for a one-shot CLI read, short enough that a view never hangs on it.
     */
    static final Duration FIRST_READ_CONNECT = Duration.ofSeconds(5);
    /** At most this many stale entries per reap call, so one call never blocks Redis for long. */
    private static final int REAP_BATCH = 1000;

    private static final LuaScript PUBLISH = new LuaScript("publish", RegistryScripts.PUBLISH);
    private static final LuaScript WITHDRAW = new LuaScript("withdraw", RegistryScripts.WITHDRAW);
    private static final LuaScript LOOKUP = new LuaScript("lookup", RegistryScripts.LOOKUP);
    private static final LuaScript ALL = new LuaScript("allocations", RegistryScripts.ALL);
    private static final LuaScript REAP = new LuaScript("reap", RegistryScripts.REAP);
    /** The change count as one script call, so it shares the scripts' timeouts, retries and topology handling. */
    private static final LuaScript CHANGES = new LuaScript("changes", "return redis.call('GET', KEYS[1]) or ''");

    private final RedisStoreUri uri;
    private final RedisKeys keys;
    private final long defaultLeaseMillis;
    private final long writeTimeoutNanos;
    private final long readTimeoutNanos;
    private final RedisConnector connector;
    private final AtomicLong dataLosses = new AtomicLong();
    private final RedisClock clock = new RedisClock();

    private volatile String epoch;
    private volatile RedisConnector.Link lastLink;

    /**
     * A registry for a store URI and key prefix.
     *
     * @param storeUri           {@code redis://}, {@code rediss://} or {@code redis-sentinel://} URI, with user,
     *                           password and database
     * @param prefix             key prefix; becomes the hash tag of every key
     * @param defaultLeaseMillis lease used for an allocation that carries none
     * @throws ConfigException for a malformed URI or prefix (never echoing the password)
     */
    public RedisRegistry(String storeUri, String prefix, long defaultLeaseMillis) {
        this(storeUri, prefix, defaultLeaseMillis, null);
    }

    /**
     * Same, trusting the CA(s) in the PEM file {@code redisCa} for {@code rediss://} (null: the JVM's trust store).
     * The server certificate is always verified, host name included.
     */
    public RedisRegistry(String storeUri, String prefix, long defaultLeaseMillis, Path redisCa) {
        this.uri = RedisStoreUri.parse(storeUri);
        this.keys = new RedisKeys(prefix);
        this.defaultLeaseMillis = defaultLeaseMillis > 0 ? defaultLeaseMillis : 30_000;
        Duration timeout = uri.timeout() != null ? uri.timeout() : DEFAULT_TIMEOUT;
        this.writeTimeoutNanos = timeout.toNanos();
        this.readTimeoutNanos = Math.min(timeout.toNanos(), READ_TIMEOUT.toNanos());
        this.connector = new RedisConnector(uri, timeout, redisCa);
    }

    /** The registry a configuration names: its store URI, key prefix, lease and CA file. */
    public static RedisRegistry create(PortManagerConfig config) {
        return new RedisRegistry(config.store(), config.redisPrefix(), config.lease().toMillis(), config.redisCa());
    }

    // ---- Registry ----------------------------------------------------------------------------------------------

    @Override
    public PublishOutcome publish(Allocation a) {
        long lease = a.leaseMillis() > 0 ? a.leaseMillis() : defaultLeaseMillis;
        String member = RedisKeys.member(a.host(), a.port());
        List<String> fields = AllocationFields.write(a, lease);
        List<String> args = new ArrayList<>(9 + fields.size());
        args.add(member);
        args.add(a.ownerToken());
        args.add(Long.toString(a.generation()));
        args.add(Long.toString(lease));
        // fresh each time: an empty Redis must get an epoch that no client has seen before
        args.add(Long.toHexString(ThreadLocalRandom.current().nextLong()));
        args.add(keys.serviceBase());
        args.add(a.state() == AllocationState.LISTENING ? "1" : "0");
        args.add(a.service());
        args.add(keys.viewBase());
        args.addAll(fields);
        String[] keyList = {keys.allocation(member), keys.deadlines(), keys.service(a.service()), keys.services(),
                keys.epoch(), keys.changes()};
        long before = clock.ticks();
        List<Object> reply = call(PUBLISH, ScriptOutputType.MULTI, keyList, false, args.toArray(new String[0]));
        clock.observe(Long.parseLong(String.valueOf(reply.get(2))), before, clock.ticks());
        noteEpoch(String.valueOf(reply.get(1)));
        return PublishOutcome.valueOf(String.valueOf(reply.get(0)));
    }

    @Override
    public boolean withdraw(Allocation a) {
        String member = RedisKeys.member(a.host(), a.port());
        Long removed = call(WITHDRAW, ScriptOutputType.INTEGER,
                new String[] {keys.allocation(member), keys.deadlines(), keys.changes()}, false,
                member, a.ownerToken(), Long.toString(a.generation()), keys.serviceBase(), keys.viewBase());
        return removed != null && removed == 1L;
    }

    @Override
    public List<Allocation> allocations() {
        String rows = call(ALL, ScriptOutputType.VALUE, new String[] {keys.deadlines()}, true,
                keys.allocationBase());
        return AllocationFields.readAll(rows);
    }

    @Override
    public List<Allocation> lookup(String service) {
        long now = clock.now();
        long before = clock.ticks();
        String reply = call(LOOKUP, ScriptOutputType.VALUE, new String[] {keys.view(service), keys.service(service)},
                true, now < 0 ? "" : Long.toString(now));
        // the reply starts with the time the script used: a fresh sample when it had to ask Redis
        int end = reply.indexOf(AllocationFields.ROW_SEPARATOR);
        long used = Long.parseLong(end < 0 ? reply : reply.substring(0, end));
        if (now < 0) {
            clock.observe(used, before, clock.ticks());
        }
        List<Allocation> rows = end < 0 ? new ArrayList<>(0) : AllocationFields.readAll(reply, end + 1);
        // the view may hold rows that expired since it was built
        rows.removeIf(a -> a.leaseUntil() <= used);
        return rows;
    }

    /** One GET of the change count (0 while nothing was ever published). */
    @Override
    public long changeMark() {
        String value = call(CHANGES, ScriptOutputType.VALUE, new String[] {keys.changes()}, true);
        return value == null || value.isEmpty() ? 0 : Long.parseLong(value);
    }

    /**
     * A subscription that runs {@code onChange} (on a Lettuce thread: keep it short) whenever a script announces a
     * change; see {@link RedisChangeFeed} for when to call its {@code ensure()}.
     */
    public RedisChangeFeed changeFeed(Runnable onChange) {
        return new RedisChangeFeed(connector, keys.changes(), describe(), onChange);
    }

    @Override
    public int reap(long graceMillis) {
        Long removed = call(REAP, ScriptOutputType.INTEGER,
                new String[] {keys.deadlines(), keys.services(), keys.changes()},
                false, Long.toString(Math.max(0, graceMillis)), keys.allocationBase(), keys.serviceBase(),
                Integer.toString(REAP_BATCH), keys.viewBase());
        return removed == null ? 0 : removed.intValue();
    }

    @Override
    public String describe() {
        return uri.describe();
    }

    @Override
    public void close() {
        connector.close();
    }

    /** True once the store turned out to be a Redis Cluster (found through the one node the URI names). */
    public boolean isCluster() {
        return connector.isCluster();
    }

    /** How many times this client saw Redis come back empty (the epoch changed). */
    public long dataLosses() {
        return dataLosses.get();
    }

    /** The tagged key prefix, e.g. {@code {portmanager}}. */
    public String keyPrefix() {
        return keys.base();
    }

    @Override
    public String toString() {
        return "RedisRegistry[" + describe() + "]";
    }

    // ---- internals ---------------------------------------------------------------------------------------------

    /** Remembers the epoch; a change means Redis lost its data since this client last published. */
    private void noteEpoch(String seen) {
        String previous = epoch;
        if (seen.equals(previous)) {
            return;
        }
        epoch = seen;
        if (previous != null) {
            dataLosses.incrementAndGet();
            LOG.warn("Redis registry {} came back empty (its data was lost, e.g. a restart without persistence); "
                    + "live owners re-register on their next renewal", describe());
        }
    }

    private <T> T call(LuaScript script, ScriptOutputType type, String[] keyList, boolean read, String... args) {
        long budget = read ? readTimeoutNanos : writeTimeoutNanos;
        long deadline = System.nanoTime() + budget;
        RedisConnector.Link before = lastLink;
        try {
            return attempt(script, type, keyList, deadline, read, args);
        } catch (RegistryTimeoutException e) {
            throw e; // the budget is spent
        } catch (RegistryUnavailableException e) {
            if (before == null || deadline - System.nanoTime() <= 0) {
                throw e;
            }
            // The kept connection had died (Redis restarted, a failover, idle link cut) or pointed at a demoted
            // master: try once more on a fresh or re-resolved one. Every script is safe to repeat: publish is an
            // upsert, withdraw and reap find nothing left to do.
            return attempt(script, type, keyList, deadline, read, args);
        }
    }

    private <T> T attempt(LuaScript script, ScriptOutputType type, String[] keyList, long deadline, boolean read,
                          String... args) {
        RedisConnector.Link link = read
                ? connector.link(deadline - System.nanoTime(), FIRST_READ_CONNECT.toNanos())
                : connector.link(deadline - System.nanoTime());
        if (link != lastLink) {
            clock.reset(); // possibly another server (a failover) with another clock
            lastLink = link;
        }
        try {
            // the command keeps at least half its budget when connecting used the rest (a process's first connect)
            long budget = read ? readTimeoutNanos : writeTimeoutNanos;
            long left = Math.max(deadline - System.nanoTime(), budget / 2);
            return script.run(link.async(), type, keyList, left, args);
        } catch (TimeoutException e) {
            connector.failed(link);
            throw timedOut(script, read);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RedisCommandTimeoutException) {
                connector.failed(link);
                throw timedOut(script, read);
            }
            if (cause instanceof RedisCommandExecutionException && !RedisConnector.isTopologyError(cause)) {
                throw new RegistryException("Redis registry " + describe() + " rejected " + script.name() + ": "
                        + cause.getMessage(), cause);
            }
            // a lost connection, or READONLY / MOVED / CLUSTERDOWN...: the topology changed under us
            connector.failed(link);
            throw RedisFailures.unavailable(describe(), cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RegistryUnavailableException("Redis registry " + describe() + ": interrupted");
        }
    }

    private RegistryTimeoutException timedOut(LuaScript script, boolean read) {
        long millis = (read ? readTimeoutNanos : writeTimeoutNanos) / 1_000_000;
        return new RegistryTimeoutException("Redis registry " + describe() + " did not answer " + script.name()
                + " within " + millis + " ms");
    }

    /** The Lettuce client; package-private for the benchmark, which counts the commands it sends. */
    RedisClient client() {
        return connector.client();
    }

    /** The live connection, opened if needed; package-private for the benchmark, which compares against GET. */
    RedisCommands<String, String> commands() {
        return connector.standaloneCommands(writeTimeoutNanos);
    }
}
