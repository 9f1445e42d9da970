package dev.portmanager.registry;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;

import java.time.Duration;

/** A plain Lettuce connection for tests that inspect or poke Redis behind the registry's back. */
final class RawRedis implements AutoCloseable {
    private final RedisClient client;
    private final StatefulRedisConnection<String, String> connection;

    RawRedis(String uri) {
        client = RedisClient.create(uri);
        connection = client.connect();
    }

    RedisCommands<String, String> cmd() {
        return connection.sync();
    }

    @Override
    public void close() {
        connection.close();
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
}
