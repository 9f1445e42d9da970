package dev.portmanager.registry;

import dev.portmanager.Log;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;

import java.util.concurrent.CompletableFuture;

/**
 * Wakes a watcher as soon as the registry changes: a subscription to the channel on which the register, withdraw
 * and reap scripts PUBLISH the new change count (the count's own key name, see {@link RedisKeys}).
 *
 * <p>Pub/sub is a wake-up call, not the truth: a message is lost while the subscription is down (Redis restarted,
 * a failover, a cut connection), so the owner of a feed keeps polling the change count, more slowly, and calls
 * {@link #ensure()} on every poll. The connection reconnects by itself and Lettuce subscribes again (for
 * sentinels, on the master they name then); {@code ensure()} replaces a connection that is still down at the next
 * poll. The listener also runs whenever Redis confirms a subscription, first or renewed, since whatever happened
 * while it was down was missed. Nothing here blocks: connecting goes on in the background.
 */
public final class RedisChangeFeed implements AutoCloseable {
    private final RedisConnector connector;
    private final String channel;
    private final String describe;
    private final Runnable onChange;

    private StatefulRedisPubSubConnection<String, String> connection; // guarded by this
    private CompletableFuture<?> subscribing; // guarded by this
    private boolean closed; // guarded by this
    private boolean failureLogged; // guarded by this

    RedisChangeFeed(RedisConnector connector, String channel, String describe, Runnable onChange) {
        this.connector = connector;
        this.channel = channel;
        this.describe = describe;
        this.onChange = onChange;
    }

    /**
     * Whether the subscription is up now; when it is not, starts (re)subscribing in the background unless that is
     * already under way. The registry must have been reached first (a cluster is recognised on the first call).
     */
    public synchronized boolean ensure() {
        if (closed) {
            return false;
        }
        if (connection != null && connection.isOpen()) {
            return true;
        }
        if (subscribing != null) {
            return false;
        }
        if (connection != null) {
            connection.closeAsync();
            connection = null;
        }
        CompletableFuture<?> started = connector.connectPubSub().thenCompose(c -> {
            c.addListener(new RedisPubSubAdapter<>() {
                @Override
                public void message(String from, String count) {
                    onChange.run();
                }

                @Override
                public void subscribed(String to, long count) {
                    onChange.run(); // after a reconnect too: changes made while unsubscribed were missed
                }
            });
            return c.async().subscribe(channel).toCompletableFuture().thenApply(ignored -> c);
        }).whenComplete((c, failure) -> subscribed(c, failure));
        subscribing = started.isDone() ? null : started;
        return false;
    }

    private void subscribed(StatefulRedisPubSubConnection<String, String> c, Throwable failure) {
        boolean closeIt;
        boolean logIt = false; // the subscription's confirmation calls the listener: nothing to do on success
        synchronized (this) {
            subscribing = null;
            closeIt = closed && c != null;
            if (failure == null && !closed) {
                connection = c;
                failureLogged = false;
            } else if (failure != null && !failureLogged) {
                failureLogged = true;
                logIt = true;
            }
        }
        if (closeIt) {
            c.closeAsync();
            return;
        }
        if (logIt) {
            Throwable cause = failure.getCause() != null ? failure.getCause() : failure;
            // e.g. NOPERM: an ACL user without the channel; the poll of the change count still sees every change
            Log.warn("watch: cannot subscribe to " + channel + " on Redis registry " + describe + " ("
                    + cause.getMessage() + "); changes are seen by polling the change count until it works");
            return;
        }
    }

    @Override
    public void close() {
        StatefulRedisPubSubConnection<String, String> c;
        synchronized (this) {
            closed = true;
            c = connection;
            connection = null;
        }
        if (c != null) {
            c.closeAsync();
        }
    }
}
