package dev.portmanager.registry;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.SslOptions;
import io.lettuce.core.SslVerifyMode;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Finds and keeps the connection to whatever Redis topology a {@link RedisStoreUri} names:
 * <ul>
 *   <li>{@code redis://} / {@code rediss://}: one server, unless {@code INFO cluster} says it is a Redis Cluster
 *       node; then Lettuce's {@link RedisClusterClient} takes over with that node as its seed and learns every
 *       node, so the one named may later die</li>
 *   <li>{@code redis-sentinel://}: the sentinels name the master at every (re)connect</li>
 * </ul>
 * A failed exchange calls {@link #failed}: a plain or sentinel connection is dropped, so the next call reconnects
 * (and asks the sentinels again); a cluster connection stays and its topology is refreshed. Connecting happens
 * once for all callers, and each caller waits at most its own budget for it, so a Redis that accepts TCP but
 * never answers costs a reader its short read timeout, never a queue behind other readers.
 */
final class RedisConnector implements AutoCloseable {
    /** After a failed connect, fail fast for this long instead of trying again on every call. */
    private static final long RECONNECT_BACKOFF_MILLIS = 250;
    /** The shortest handshake timeout: TLS and Lettuce's first connect are slow in a cold JVM. */
    private static final Duration HANDSHAKE_FLOOR = Duration.ofSeconds(10);
    /** Topology refreshes asked for by failures are at least this far apart. */
    private static final long REFRESH_SPACING_MILLIS = 200;

    private final RedisStoreUri uri;
    private final RedisURI redisUri;
    private final String describe;
    private final ClientResources resources;
    private final RedisClient client;
    private final SslOptions ssl;
    private final Duration timeout;
    private final long connectGiveUpMillis;
    private RedisClusterClient clusterClient; // guarded by this; created when a cluster is detected
    private RedisClient pubSubClient; // guarded by this; created for the first change feed

    private volatile Link current;
    /** True until the first connect attempt ended, in success or failure. */
    private volatile boolean firstAttempt = true;
    private CompletableFuture<Link> connecting; // guarded by this
    private long connectNotBefore; // guarded by this
    private Throwable lastConnectFailure; // guarded by this
    private long lastRefresh; // guarded by this
    private boolean closed; // guarded by this

    /**
     * @param uri     the checked store URI
     * @param timeout connect and command timeout
     * @param ca      PEM file of the CA(s) trusted for {@code rediss://}, or null for the JVM's default trust store
     */
    RedisConnector(RedisStoreUri uri, Duration timeout, Path ca) {
        this.uri = uri;
        this.describe = uri.describe();
        // The URI's timeout bounds the connection handshake (TLS, HELLO/AUTH): a cold JVM on a busy host needs
        // seconds for it, so it gets at least HANDSHAKE_FLOOR; commands keep the short timeout (TimeoutOptions).
        this.redisUri = LettuceUri.of(uri, timeout.compareTo(HANDSHAKE_FLOOR) < 0 ? HANDSHAKE_FLOOR : timeout);
        // connect, INFO, and for a cluster a topology read and the connect proper are each bounded by the timeout;
        // this only catches a stage that never completes, and is generous: a cold JVM on a busy host needs seconds
        this.connectGiveUpMillis = Math.max(30_000, timeout.toMillis() * 4);
        // TLS options only for rediss:// (they load the JDK's TLS stack), cluster options only once a cluster is
        // found: a plain server's first connect loads neither
        this.ssl = uri.tls() ? sslOptions(ca) : null;
        if (!uri.tls() && ca != null && !Files.isReadable(ca)) {
            sslOptions(ca); // a bad redisCa is reported even when it is not used yet
        }
        this.timeout = timeout;
        this.resources = DefaultClientResources.create();
        this.client = RedisClient.create(resources);
        ClientOptions.Builder options = ClientOptions.builder()
                // we reconnect ourselves on the next call: Lettuce's own back-off grows to 30 s, longer than a
                // renewal interval, and its queue would hold commands for a Redis that may never come back; a
                // reconnect of ours also asks the sentinels again where the master is now
                .autoReconnect(false)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .socketOptions(socketOptions(timeout))
                .timeoutOptions(TimeoutOptions.enabled(timeout));
        if (ssl != null) {
            options.sslOptions(ssl);
        }
        client.setOptions(options.build());
    }

    private static SocketOptions socketOptions(Duration timeout) {
        return SocketOptions.builder().connectTimeout(timeout).keepAlive(true).build();
    }

    private ClusterClientOptions clusterOptions() {
        ClusterClientOptions.Builder b = ClusterClientOptions.builder()
                // the cluster client keeps one connection per node and routes by slot; it must reconnect to a
                // node by itself, or a node that restarted would stay unusable behind a closed connection
                .autoReconnect(true)
                // a node's connection opens on the first command for its slot: that command waits for it (a TLS
                // handshake) instead of being rejected, bounded by the command timeout; rejected, every retry
                // would ask for a topology refresh that drops the connection being opened, over and over
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.ACCEPT_COMMANDS)
                .socketOptions(socketOptions(timeout))
                .timeoutOptions(TimeoutOptions.enabled(timeout))
                .maxRedirects(5)
                .topologyRefreshOptions(ClusterTopologyRefreshOptions.builder()
                        // MOVED, ASK and reconnect storms make Lettuce re-read the topology at once; the
                        // periodic refresh catches a failover that no command has run into yet
                        .enableAllAdaptiveRefreshTriggers()
                        .adaptiveRefreshTriggersTimeout(Duration.ofMillis(500))
                        .refreshTriggersReconnectAttempts(2)
                        .enablePeriodicRefresh(Duration.ofSeconds(15))
                        .dynamicRefreshSources(true)
                        .closeStaleConnections(true)
                        .build());
        if (ssl != null) {
            b.sslOptions(ssl);
        }
        return b.build();
    }

    private static SslOptions sslOptions(Path ca) {
        SslOptions.Builder b = SslOptions.builder().jdkSslProvider();
        if (ca != null) {
            if (!Files.isReadable(ca)) {
                throw new dev.portmanager.config.ConfigException("redisCa " + ca + " is not a readable file; "
                        + "expected a PEM file with the certificate(s) of the CA that signed the Redis server's");
            }
            b.trustManager(ca.toFile());
        }
        return b.build();
    }

    /** The standalone client, for the benchmark's command counter. */
    RedisClient client() {
        return client;
    }

    /** True once a Redis Cluster was detected. */
    synchronized boolean isCluster() {
        return clusterClient != null;
    }

    /**
     * The live link, connecting if there is none; waits at most {@code waitNanos} for a connect in progress.
     *
     * @throws RegistryUnavailableException when Redis cannot be reached (in time)
     */
    Link link(long waitNanos) {
        return link(waitNanos, TimeUnit.MILLISECONDS.toNanos(connectGiveUpMillis));
    }

    /**
     * Same, waiting at most {@code firstConnectNanos} (if longer) for the process's first connect: reads pass a few
     * seconds, so that a view answers (stale) instead of waiting out a slow first handshake.
     */
    Link link(long waitNanos, long firstConnectNanos) {
        Link l = current;
        if (l != null && l.isOpen()) {
            return l;
        }
        CompletableFuture<Link> f;
        synchronized (this) {
            if (closed) {
                throw new RegistryUnavailableException("Redis registry " + describe + " is closed");
            }
            l = current;
            if (l != null && l.isOpen()) {
                return l;
            }
            f = connecting;
            if (f == null) {
                if (System.currentTimeMillis() < connectNotBefore) {
                    throw RedisFailures.unavailable(describe, lastConnectFailure);
                }
                current = null;
                if (l != null) {
                    l.close();
                }
                // a connect that hangs (a server that accepts and never answers) is abandoned, so the next call
                // can try again instead of waiting on it forever
                CompletableFuture<Link> started = connectAsync().orTimeout(connectGiveUpMillis, TimeUnit.MILLISECONDS);
                connecting = started;
                f = started;
                // may run at once, on this thread, when the connect failed synchronously
                started.whenComplete((link, failure) -> connected(started, link, failure));
            }
        }
        // The very first connect of a process loads Lettuce and starts Netty: seconds on a cold JVM, which no
        // caller's short budget covers. Its stages are bounded by the connect and handshake timeouts, so waiting
        // for it is bounded too; once it ended (either way), every wait uses the caller's budget.
        long wait = !firstAttempt ? waitNanos : Math.max(waitNanos, firstConnectNanos);
        try {
            return f.get(Math.max(1, wait), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw new RegistryTimeoutException("Redis registry " + describe + " did not answer within "
                    + (wait + 999_999) / 1_000_000 + " ms (connecting)");
        } catch (ExecutionException e) {
            throw RedisFailures.unavailable(describe, e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RegistryUnavailableException("Redis registry " + describe + ": interrupted while connecting");
        }
    }

    private void connected(CompletableFuture<Link> which, Link link, Throwable failure) {
        boolean closeIt = false;
        firstAttempt = false;
        synchronized (this) {
            if (connecting == which) {
                connecting = null;
            }
            if (failure != null) {
                lastConnectFailure = failure instanceof CompletionException && failure.getCause() != null
                        ? failure.getCause() : failure;
                connectNotBefore = System.currentTimeMillis() + RECONNECT_BACKOFF_MILLIS;
            } else if (closed) {
                closeIt = true;
            } else {
                current = link;
            }
        }
        if (closeIt) {
            link.close();
        }
    }

    /**
     * A failed exchange on {@code link}: a plain or sentinel connection is dropped (the next call reconnects and
     * re-resolves); a cluster connection is kept and its topology refreshed in the background.
     */
    void failed(Link link) {
        if (link.isCluster() && link.isOpen()) {
            RedisClusterClient c;
            synchronized (this) {
                long now = System.currentTimeMillis();
                if (now - lastRefresh < REFRESH_SPACING_MILLIS) {
                    return;
                }
                lastRefresh = now;
                c = clusterClient;
            }
            if (c != null) {
                c.refreshPartitionsAsync(); // failures are seen by the next command
            }
            return;
        }
        synchronized (this) {
            if (current == link) {
                current = null;
            }
        }
        link.close();
    }

    /**
     * A new pub/sub connection to the same topology, for {@link RedisChangeFeed}: to the server (for sentinels, the
     * master they name at each connect), or for a cluster to one of its nodes (a PUBLISH reaches every node). Call
     * it after a {@link #link} succeeded, so that a cluster has been recognised. Unlike the command connection it
     * reconnects by itself, and Lettuce then subscribes again: a subscriber has nothing to retry on, and a
     * message missed meanwhile is caught by the change count's poll.
     */
    CompletableFuture<StatefulRedisPubSubConnection<String, String>> connectPubSub() {
        RedisClusterClient c;
        RedisClient p;
        synchronized (this) {
            if (closed) {
                return CompletableFuture.failedFuture(
                        new RegistryUnavailableException("Redis registry " + describe + " is closed"));
            }
            c = clusterClient;
            if (c == null && pubSubClient == null) {
                pubSubClient = RedisClient.create(resources);
                pubSubClient.setOptions(client.getOptions().mutate().autoReconnect(true).build());
            }
            p = pubSubClient;
        }
        CompletableFuture<? extends StatefulRedisPubSubConnection<String, String>> f = c != null
                ? c.connectPubSubAsync(StringCodec.UTF8).toCompletableFuture()
                : p.connectPubSubAsync(StringCodec.UTF8, redisUri).toCompletableFuture();
        return f.thenApply(connection -> (StatefulRedisPubSubConnection<String, String>) connection)
                .orTimeout(connectGiveUpMillis, TimeUnit.MILLISECONDS);
    }

    /** The standalone connection's synchronous commands, for the benchmark's baseline GET. */
    RedisCommands<String, String> standaloneCommands(long waitNanos) {
        RedisCommands<String, String> commands = link(waitNanos).serverCommands();
        if (commands != null) {
            return commands;
        }
        throw new IllegalStateException("Redis registry " + describe + " is a cluster");
    }

    @Override
    public void close() {
        Link l;
        RedisClusterClient c;
        RedisClient p;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            l = current;
            current = null;
            c = clusterClient;
            p = pubSubClient;
        }
        // the clients' shutdown closes their connections; closing them here too only earns a warning
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        if (p != null) {
            p.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        }
        if (c != null) {
            c.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        }
        resources.shutdown(0, 2, TimeUnit.SECONDS);
    }

    // ---- connecting ------------------------------------------------------------------------------------------

    private CompletableFuture<Link> connectAsync() {
        synchronized (this) {
            if (clusterClient != null) {
                return connectCluster();
            }
        }
        CompletableFuture<StatefulRedisConnection<String, String>> plain =
                client.connectAsync(StringCodec.UTF8, redisUri).toCompletableFuture();
        if (uri.kind() == RedisStoreUri.Kind.SENTINEL) {
            return plain.thenApply(Link::server);
        }
        // continued off the event loop: reading a cluster's topology from a Netty thread would wait on itself
        return plain.thenComposeAsync(connection -> connection.async().info("cluster").toCompletableFuture()
                .handle((info, failure) -> {
                    if (failure == null && info != null && info.contains("cluster_enabled:1")) {
                        return true;
                    }
                    // a user without the INFO permission, or an old server: a plain server then (a cluster
                    // would answer MOVED soon enough, and that makes us look again)
                    return false;
                })
                .thenCompose(cluster -> {
                    if (!cluster) {
                        return CompletableFuture.completedFuture(Link.server(connection));
                    }
                    connection.closeAsync();
                    if (uri.database() != 0) {
                        return CompletableFuture.failedFuture(new RegistryException("Redis registry " + describe
                                + " is a Redis Cluster, which has only database 0: drop /" + uri.database()
                                + " from the URI"));
                    }
                    synchronized (this) {
                        if (clusterClient == null) {
                            clusterClient = RedisClusterClient.create(resources, redisUri);
                            clusterClient.setOptions(clusterOptions());
                        }
                    }
                    return connectCluster();
                }), resources.eventExecutorGroup());
    }

    private CompletableFuture<Link> connectCluster() {
        RedisClusterClient c;
        synchronized (this) {
            c = clusterClient;
        }
        // the topology is read first (from the seed, later from every known node): connectAsync needs it
        return c.refreshPartitionsAsync().toCompletableFuture()
                .thenCompose(ignored -> c.connectAsync(StringCodec.UTF8))
                .thenApply(Link::cluster);
    }

    /**
     * A connection: one server's, or the cluster client's (which routes each command by its keys' slot). Both
     * speak the same cluster-compatible command set, so one class holds either.
     */
    static final class Link {
        private final StatefulConnection<String, String> connection;
        private final RedisClusterAsyncCommands<String, String> commands;
        private final boolean cluster;

        private Link(StatefulConnection<String, String> connection, RedisClusterAsyncCommands<String, String> commands,
                     boolean cluster) {
            this.connection = connection;
            this.commands = commands;
            this.cluster = cluster;
        }

        static Link server(StatefulRedisConnection<String, String> connection) {
            return new Link(connection, connection.async(), false);
        }

        static Link cluster(StatefulRedisClusterConnection<String, String> connection) {
            return new Link(connection, connection.async(), true);
        }

        RedisClusterAsyncCommands<String, String> async() {
            return commands;
        }

        /** True for the cluster client's connection, whose topology is refreshed instead of reconnecting. */
        boolean isCluster() {
            return cluster;
        }

        boolean isOpen() {
            return connection.isOpen();
        }

        void close() {
            connection.closeAsync();
        }

        /** One server's synchronous commands (the benchmark's baseline GET); null for a cluster. */
        RedisCommands<String, String> serverCommands() {
            return connection instanceof StatefulRedisConnection<String, String> server ? server.sync() : null;
        }
    }

    /** Lettuce's URI built from the checked parts (never from the raw text, whose escapes Lettuce reads its way). */
    static final class LettuceUri {
        private LettuceUri() {
        }

        static RedisURI of(RedisStoreUri uri, Duration timeout) {
            RedisURI.Builder b;
            if (uri.kind() == RedisStoreUri.Kind.SENTINEL) {
                RedisStoreUri.Node first = uri.nodes().get(0);
                b = RedisURI.Builder.sentinel(first.host(), first.port(), uri.master());
                for (RedisStoreUri.Node n : uri.nodes().subList(1, uri.nodes().size())) {
                    b.withSentinel(n.host(), n.port());
                }
            } else {
                b = RedisURI.Builder.redis(uri.host(), uri.port());
            }
            b.withDatabase(uri.database()).withTimeout(timeout);
            if (uri.tls()) {
                b.withSsl(true).withVerifyPeer(SslVerifyMode.FULL);
            }
            if (uri.password() != null) {
                if (uri.user() == null) {
                    b.withPassword(uri.password().toCharArray()); // AUTH password: requirepass, or the default user
                } else {
                    b.withAuthentication(uri.user(), uri.password().toCharArray()); // an ACL user
                }
            }
            return b.build();
        }
    }

    /** True for a server error that means "ask the topology again": a demoted master, a slot that moved... */
    static boolean isTopologyError(Throwable e) {
        if (!(e instanceof RedisCommandExecutionException)) {
            return false;
        }
        String m = e.getMessage() == null ? "" : e.getMessage();
        for (String code : new String[] {"READONLY", "MOVED", "ASK", "CLUSTERDOWN", "TRYAGAIN", "LOADING",
                "MASTERDOWN", "NOREPLICAS"}) {
            if (m.startsWith(code)) {
                return true;
            }
        }
        return false;
    }
}
