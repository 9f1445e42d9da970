package dev.portmanager.testing;

import org.junit.jupiter.api.Test;

import java.io.UncheckedIOException;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RedisServerTest {

    @Test
    void startsOnAFreeLoopbackPortAndAnswers() {
        try (RedisServer redis = RedisServer.launch()) {
            assertNotEquals(6379, redis.port());
            assertEquals("+PONG", redis.command("PING"));
            assertEquals("redis://127.0.0.1:" + redis.port(), redis.uri());
        }
    }

    @Test
    void restartKeepsThePortAndLosesTheData() {
        try (RedisServer redis = RedisServer.launch()) {
            int port = redis.port();
            assertEquals("+OK", redis.command("SET", "k", "v"));
            redis.restart();
            assertEquals(port, redis.port());
            assertEquals("$-1", redis.command("GET", "k"));
        }
    }

    @Test
    void killStopsItAndStartBringsItBack() {
        try (RedisServer redis = RedisServer.launch()) {
            redis.kill();
            assertFalse(redis.isRunning());
            assertThrows(UncheckedIOException.class, () -> redis.command("PING"));
            redis.start();
            assertTrue(redis.isRunning());
            assertEquals("+PONG", redis.command("PING"));
        }
    }

    @Test
    void aPasswordIsRequiredWhenConfigured() {
        try (RedisServer redis = RedisServer.launch(List.of("--requirepass", "s3cret"))) {
            assertEquals("redis://:s3cret@127.0.0.1:" + redis.port(), redis.uri());
            assertEquals("+PONG", redis.command("PING"));
        }
    }

    @Test
    void twoServersNeverShareAPort() {
        try (RedisServer a = RedisServer.launch(); RedisServer b = RedisServer.launch()) {
            assertNotEquals(a.port(), b.port());
            a.command("SET", "only-in-a", "1");
            assertEquals("$-1", b.command("GET", "only-in-a"));
        }
    }
}
