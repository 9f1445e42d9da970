package dev.portmanager.testing;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.util.List;

/**
 * JUnit 5 glue for {@link RedisServer}: one server per test class, flushed before each test and restarted if a
 * test stopped or killed it.
 *
 * <pre>{@code
 * @RegisterExtension
 * static final RedisServerExtension REDIS = new RedisServerExtension();
 *
 * @Test void something() { String uri = REDIS.uri(); ... }
 * }</pre>
 */
public final class RedisServerExtension implements BeforeAllCallback, BeforeEachCallback, AfterAllCallback {
    private final List<String> extraArgs;
    private RedisServer server;

    public RedisServerExtension() {
        this(List.of());
    }

    /** With more {@code redis-server} options, e.g. {@code List.of("--requirepass", "secret")}. */
    public RedisServerExtension(List<String> extraArgs) {
        this.extraArgs = List.copyOf(extraArgs);
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        server = RedisServer.launch(extraArgs);
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        // each test starts from an empty, running server whatever the previous test did to it
        if (!server.isRunning()) {
            server.start();
        }
        server.command("FLUSHALL");
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (server != null) {
            server.close();
            server = null;
        }
    }

    public RedisServer server() {
        if (server == null) {
            throw new IllegalStateException("RedisServerExtension is not active; register it as a static field");
        }
        return server;
    }

    public String uri() {
        return server().uri();
    }
}
