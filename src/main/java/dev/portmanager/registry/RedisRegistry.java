package dev.portmanager.registry;

import dev.portmanager.Allocation;
import dev.portmanager.AllocationState;
import dev.portmanager.config.ConfigException;
import dev.portmanager.config.PortManagerConfig;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.StringCodec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The registry in Redis, through Lettuce. Every operation is one server-side script (see {@link RegistryScripts}),
 * so one round trip; keys follow {@link RedisKeys}.
 *
 * <p>Creating one costs a Lettuce client (about 1.5 s and thousands of classes): never do it on an application's
 * start-up path; {@link RegistrySync} creates it on its own thread. The connection is opened lazily and reopened
 * after a failure, so a registry created while Redis is down starts working when Redis comes up. While Redis is
 * unreachable, operations fail fast with {@link RegistryUnavailableException} instead of queueing.
 */
public final class RedisRegistry implements Registry {
    private static final Logger LOG = LoggerFactory.getLogger(RedisRegistry.class);
    /** Default for command and connect timeouts unless the URI sets {@code ?timeout=}. */
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(2);
    /** After a failed connect, fail fast for this long instead of trying again on every call. */
    private static final long RECONNECT_BACKOFF_MILLIS = 250;
    /** At most this many stale entries per reap call, so one call never blocks Redis for long. */
    private static final int REAP_BATCH = 1000;

    private static final LuaScript PUBLISH = new LuaScript("publish", RegistryScripts.PUBLISH);
    private static final LuaScript WITHDRAW = new LuaScript("withdraw", RegistryScripts.WITHDRAW);
    private static final LuaScript LOOKUP = new LuaScript("lookup", RegistryScripts.LOOKUP);
    private static final LuaScript ALL = new LuaScript("allocations", RegistryScripts.ALL);
    private static final LuaScript REAP = new LuaScript("reap", RegistryScripts.REAP);

    private final RedisStoreUri uri;
    private final RedisURI redisUri;
    private final RedisKeys keys;
    private final long defaultLeaseMillis;
    private final RedisClient client;
    private final AtomicLong dataLosses = new AtomicLong();
    private final RedisClock clock = new RedisClock();

    private volatile StatefulRedisConnection<String, String> connection;
    private volatile String epoch;
    private long connectNotBefore;
    private volatile boolean closed;

    /**
     * A registry for a store URI and key prefix.
     *
     * @param storeUri           {@code redis://} or {@code rediss://} URI, with user, password and database
     * @param prefix             key prefix; becomes the hash tag of every key
     * @param defaultLeaseMillis lease used for an allocation that carries none
     * @throws ConfigException for a malformed URI or prefix (never echoing the password)
     */
    public RedisRegistry(String storeUri, String prefix, long defaultLeaseMillis) {
        this.uri = RedisStoreUri.parse(storeUri);
        this.keys = new RedisKeys(prefix);
        this.defaultLeaseMillis = defaultLeaseMillis > 0 ? defaultLeaseMillis : 30_000;
        this.redisUri = toLettuce(uri);
        this.client = RedisClient.create();
        Duration timeout = redisUri.getTimeout();
        client.setOptions(ClientOptions.builder()
                // we reconnect ourselves on the next call: Lettuce's own back-off grows to 30 s, longer than a
                // renewal interval, and its queue would hold commands for a Redis that may never come back
                .autoReconnect(false)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .socketOptions(SocketOptions.builder().connectTimeout(timeout).keepAlive(true).build())
                .timeoutOptions(TimeoutOptions.enabled(timeout))
                .build());
    }

    /** The registry a configuration names: its store URI, key prefix and lease. */
    public static RedisRegistry create(PortManagerConfig config) {
        return new RedisRegistry(config.store(), config.redisPrefix(), config.lease().toMillis());
    }

    private static RedisURI toLettuce(RedisStoreUri checked) {
        RedisURI parsed;
        try {
            parsed = RedisURI.create(checked.raw());
        } catch (RuntimeException e) {
            // Lettuce's message may quote the URI, password included: neither the message nor the cause is kept
            throw new ConfigException("Invalid Redis store URI " + RedisStoreUri.redact(checked.raw())
                    + ": the Redis client rejected it (" + e.getClass().getSimpleName() + "). Accepted: "
                    + RedisStoreUri.ACCEPTED);
        }
        if (parsed.getTimeout().equals(RedisURI.DEFAULT_TIMEOUT_DURATION)) {
            parsed.setTimeout(DEFAULT_TIMEOUT);
        }
        return parsed;
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
        List<Object> reply = call(PUBLISH, ScriptOutputType.MULTI, keyList, args.toArray(new String[0]));
        clock.observe(Long.parseLong(String.valueOf(reply.get(2))), before, clock.ticks());
        noteEpoch(String.valueOf(reply.get(1)));
        return PublishOutcome.valueOf(String.valueOf(reply.get(0)));
    }

    @Override
    public boolean withdraw(Allocation a) {
        String member = RedisKeys.member(a.host(), a.port());
        Long removed = call(WITHDRAW, ScriptOutputType.INTEGER,
                new String[] {keys.allocation(member), keys.deadlines(), keys.changes()},
                member, a.ownerToken(), Long.toString(a.generation()), keys.serviceBase(), keys.viewBase());
        return removed != null && removed == 1L;
    }

    @Override
    public List<Allocation> allocations() {
        String rows = call(ALL, ScriptOutputType.VALUE, new String[] {keys.deadlines()}, keys.allocationBase());
        return AllocationFields.readAll(rows);
    }

    @Override
    public List<Allocation> lookup(String service) {
        long now = clock.now();
        long before = clock.ticks();
        String reply = call(LOOKUP, ScriptOutputType.VALUE, new String[] {keys.view(service), keys.service(service)},
                now < 0 ? "" : Long.toString(now));
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
        String value = callPlain(keys.changes());
        return value == null ? 0 : Long.parseLong(value);
    }

    @Override
    public int reap(long graceMillis) {
        Long removed = call(REAP, ScriptOutputType.INTEGER, new String[] {keys.deadlines(), keys.services(), keys.changes()},
                Long.toString(Math.max(0, graceMillis)), keys.allocationBase(), keys.serviceBase(),
                Integer.toString(REAP_BATCH), keys.viewBase());
        return removed == null ? 0 : removed.intValue();
    }

    @Override
    public String describe() {
        return uri.describe();
    }

    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            connection = null; // the client's shutdown closes it; closing it here too only earns a warning
        }
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
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

    private <T> T call(LuaScript script, ScriptOutputType type, String[] keyList, String... args) {
        boolean reused = connection != null;
        try {
            return attempt(script, type, keyList, args);
        } catch (RegistryUnavailableException e) {
            if (!reused) {
                throw e;
            }
            // The kept connection had died (Redis restarted, idle link cut): try once on a fresh one. Every script
            // is safe to repeat: publish is an upsert, withdraw and reap find nothing left to do.
            return attempt(script, type, keyList, args);
        }
    }

    /** A plain GET, with the same reconnect-once rule as the scripts. */
    private String callPlain(String key) {
        boolean reused = connection != null;
        try {
            return get(key);
        } catch (RegistryUnavailableException e) {
            if (!reused) {
                throw e;
            }
            return get(key);
        }
    }

    private String get(String key) {
        RedisCommands<String, String> redis = commands();
        try {
            return redis.get(key);
        } catch (RedisCommandExecutionException e) {
            throw new RegistryException("Redis registry " + describe() + " rejected GET: " + e.getMessage(), e);
        } catch (RedisException e) {
            dropConnection();
            throw unavailable(e);
        }
    }

    private <T> T attempt(LuaScript script, ScriptOutputType type, String[] keyList, String... args) {
        RedisCommands<String, String> redis = commands();
        try {
            return script.run(redis, type, keyList, args);
        } catch (RedisCommandExecutionException e) {
            throw new RegistryException("Redis registry " + describe() + " rejected " + script.name() + ": "
                    + e.getMessage(), e);
        } catch (RedisException e) {
            dropConnection();
            throw unavailable(e);
        }
    }

    /** The Lettuce client; package-private for the benchmark, which counts the commands it sends. */
    RedisClient client() {
        return client;
    }

    /** The live connection, opened if needed; package-private for the benchmark, which compares against GET. */
    RedisCommands<String, String> commands() {
        StatefulRedisConnection<String, String> c = connection;
        if (c != null && c.isOpen()) {
            return c.sync();
        }
        synchronized (this) {
            if (closed) {
                throw new RegistryUnavailableException("Redis registry " + describe() + " is closed");
            }
            c = connection;
            if (c != null && c.isOpen()) {
                return c.sync();
            }
            dropConnection();
            long now = System.currentTimeMillis();
            if (now < connectNotBefore) {
                throw new RegistryUnavailableException("Redis registry " + describe() + " is unreachable");
            }
            try {
                c = client.connect(StringCodec.UTF8, redisUri);
            } catch (RedisException e) {
                connectNotBefore = now + RECONNECT_BACKOFF_MILLIS;
                throw unavailable(e);
            }
            connection = c;
            clock.reset(); // possibly another server (a failover) with another clock
            return c.sync();
        }
    }

    private synchronized void dropConnection() {
        StatefulRedisConnection<String, String> c = connection;
        connection = null;
        if (c != null) {
            c.closeAsync();
        }
    }

    private RegistryUnavailableException unavailable(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String why = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
        // Lettuce's messages name host and port at most, never the password; the cause is kept for debugging
        return new RegistryUnavailableException("Redis registry " + describe() + " is unreachable: " + why, e);
    }
}
