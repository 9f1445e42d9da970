package dev.portmanager.registry;

import dev.portmanager.Allocation;
import dev.portmanager.testing.RedisSentinels;
import dev.portmanager.testing.RedisServer;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.portmanager.registry.TestAllocations.listening;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * The registry's change announcements against real redis-servers: a feed hears every register and withdraw, is
 * back by itself after a restart and, driven as a watch drives it (a GET of the count, then {@code ensure()},
 * every second), after a Sentinel failover; a user whom the ACL denies the channel still registers.
 */
class RedisChangeFeedTest {
    private static final long LEASE = 30_000;
    /** A bound on a hang, never on speed: a cold Lettuce on a loaded machine takes seconds. */
    private static final long DEADLINE = 60_000;

    @Test
    void aFeedHearsRegistrationsAndWithdrawalsAndIsBackAfterARestart() throws Exception {
        try (RedisServer redis = RedisServer.launch();
             RedisRegistry writer = new RedisRegistry(redis.uri(), "portmanager", LEASE);
             RedisRegistry watcher = new RedisRegistry(redis.uri(), "portmanager", LEASE)) {
            AtomicInteger heard = new AtomicInteger();
            try (RedisChangeFeed feed = subscribed(watcher, heard)) {
                int before = heard.get();
                Allocation svc = listening(9101, "svc", 1, 4242, LEASE);
                assertEquals(Registry.PublishOutcome.CREATED, writer.publish(svc));
                await(() -> heard.get() == before + 1, "the registration was announced");
                long count = writer.changeMark();
                assertEquals(Registry.PublishOutcome.RENEWED, writer.publish(svc));
                assertEquals(count, writer.changeMark(), "a renewal is no change: not counted, so not announced");
                writer.withdraw(svc);
                await(() -> heard.get() == before + 2, "the withdrawal was announced");

                redis.restart(); // empty, same port: Lettuce reconnects and subscribes again by itself
                await(() -> heard.get() == before + 3, "subscribed again (the confirmation calls the listener)");
                await(() -> {
                    try {
                        return writer.publish(listening(9102, "svc", 1, 4243, LEASE))
                                == Registry.PublishOutcome.CREATED;
                    } catch (RegistryException e) {
                        return false; // the writer's connection is being renewed
                    }
                }, "registered after the restart");
                await(() -> heard.get() == before + 4, "the registration after the restart was announced");
            }
        }
    }

    @Test
    void aFeedFollowsASentinelFailover() throws Exception {
        try (RedisSentinels sentinels = RedisSentinels.launch();
             RedisRegistry writer = new RedisRegistry(sentinels.uri(), "portmanager", LEASE);
             RedisRegistry watcher = new RedisRegistry(sentinels.uri(), "portmanager", LEASE)) {
            AtomicInteger heard = new AtomicInteger();
            try (RedisChangeFeed feed = subscribed(watcher, heard)) {
                int before = heard.get();
                writer.publish(listening(9201, "svc", 1, 4242, LEASE));
                await(() -> heard.get() > before, "announced through the first master");

                int beforeFailover = heard.get(); // Lettuce may subscribe again before the promotion is seen here
                sentinels.master().kill();
                sentinels.awaitReplicaPromoted(DEADLINE);
                // what the watch does every second while unsubscribed; the renewed subscription is heard
                await(() -> watcherPoll(watcher, feed) && heard.get() > beforeFailover, "subscribed again");
                int beforePublish = heard.get();
                await(() -> {
                    try {
                        return writer.publish(listening(9202, "svc", 1, 4243, LEASE))
                                == Registry.PublishOutcome.CREATED;
                    } catch (RegistryException e) {
                        return false; // the writer is still finding the new master
                    }
                }, "registered through the promoted replica");
                await(() -> heard.get() > beforePublish, "announced through the promoted replica");
            }
        }
    }

    @Test
    void aUserDeniedTheChannelStillRegistersAndItsFeedStaysDown() throws Exception {
        try (RedisServer redis = RedisServer.launch()) {
            redis.command("ACL", "SETUSER", "pm", "on", ">pm-secret", "~*", "+@all", "resetchannels");
            String uri = "redis://pm:pm-secret@" + redis.host() + ":" + redis.port();
            try (RedisRegistry registry = new RedisRegistry(uri, "portmanager", LEASE);
                 RedisChangeFeed feed = registry.changeFeed(() -> { })) {
                assertEquals(Registry.PublishOutcome.CREATED, registry.publish(listening(9301, "svc", 1, 4242, LEASE)));
                assertEquals(1, registry.changeMark(), "counted even though it could not be announced");
                for (int i = 0; i < 20; i++) {
                    assertFalse(feed.ensure(), "NOPERM: never subscribed");
                    Thread.sleep(50);
                }
            }
        }
    }

    /** A feed on {@code watcher}, subscribed (the confirmation itself is heard once). */
    private static RedisChangeFeed subscribed(RedisRegistry watcher, AtomicInteger heard) throws Exception {
        RedisChangeFeed feed = watcher.changeFeed(heard::incrementAndGet);
        await(() -> watcherPoll(watcher, feed), "subscribed");
        await(() -> heard.get() >= 1, "the subscription confirmed");
        return feed;
    }

    /** One GET of the change count, then ensure(), as a watch's poll does; whether the feed is up. */
    private static boolean watcherPoll(RedisRegistry watcher, RedisChangeFeed feed) {
        try {
            watcher.changeMark();
        } catch (RegistryException e) {
            return false;
        }
        return feed.ensure();
    }

    private static void await(java.util.function.BooleanSupplier condition, String what) throws Exception {
        long end = System.nanoTime() + Duration.ofMillis(DEADLINE).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - end > 0) {
                throw new AssertionError("never: " + what);
            }
            Thread.sleep(100);
        }
    }
}
