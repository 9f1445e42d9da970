package dev.portmanager.http;

import dev.portmanager.cli.Launcher;
import dev.portmanager.cli.Sidecar;
import dev.portmanager.testing.RedisServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * Watches in Redis mode are driven by pub/sub: a sidecar on "host-a" whose fallback poll of the change count is
 * ten minutes, and whose leases are ten minutes too, so that nothing but a published announcement can wake its
 * blocking queries within this test. Another process, a {@code portmanager allocate} of "host-b" (its own JVM,
 * state directory and host name, the same real redis-server), registers a service; the waiting query on host-a
 * returns with it. Then the redis-server restarts (empty, same port): the subscription comes back by itself and
 * a registration made after the restart wakes the watcher too.
 */
class RedisWatchTest {
    static final String ALLOCATIONS = "/api/v1/port-management/allocations";
    static final String INDEX = "X-PortManager-Index";
    static final HttpClient CLIENT = HttpClient.newBuilder().proxy(HttpClient.Builder.NO_PROXY)
            .connectTimeout(Duration.ofSeconds(5)).build();
    /** A bound on a hang, never on speed: JVMs start slowly on a loaded machine. */
    static final long DEADLINE_MILLIS = 120_000;

    @TempDir
    Path dir;
    RedisServer redis;
    Sidecar sidecar;

    @BeforeEach
    void start() throws Exception {
        redis = RedisServer.launch();
        Launcher a = host("host-a").env("PORTMANAGER_JAVA_OPTS",
                "-XX:TieredStopAtLevel=1 -Xshare:auto -Dportmanager.watchPoll=10m");
        sidecar = Sidecar.start(a, List.of(), List.of());
    }

    @AfterEach
    void stop() {
        if (sidecar != null) {
            sidecar.close();
        }
        if (redis != null) {
            redis.close();
        }
    }

    /** A "host": its own state directory and host name, the real Redis, leases far longer than the test. */
    private Launcher host(String name) throws Exception {
        Path config = dir.resolve(name + ".yaml");
        Files.writeString(config, "host: " + name + "\nlease: 10m\nreservationTtl: 10m\n");
        return new Launcher(dir.resolve(name)).env("PORTMANAGER_CONFIG", config.toString())
                .env("PORTMANAGER_STORE", redis.uri());
    }

    @Test
    void aSidecarWatcherWakesOnAnotherProcesssRegistrationAndAgainAfterRedisRestarts() throws Exception {
        Launcher b = host("host-b");
        long index = index(get(ALLOCATIONS, Duration.ofSeconds(60)));

        WatchedRegistration first = registerWhileWatching(b, "before-restart", index);
        System.out.println("MEASURED pub/sub watch: allocate on host-b exited -> host-a's query returned: "
                + first.millisAfterRegistration + " ms");

        // the registry figures of /metrics: an allocation through host-a's API makes its sync reach Redis
        Http.Reply made = Http.post(sidecar.uri("/api/v1/port-management/allocate"),
                "{\"service\":\"on-host-a\",\"type\":\"testing\"}");
        assertEquals(201, made.status(), made.toString());
        String metrics = awaitMetrics("portmanager_registry_sync_lag_seconds ");
        assertEquals("0.0", sample(metrics, "portmanager_registry_sync_failures_total"), metrics);
        assertEquals("0.0", sample(metrics, "portmanager_lease_renewal_errors_total"), metrics);
        assertEquals("1.0", sample(metrics, "portmanager_api_allocations_total{range=\"testing\"}"), metrics);

        redis.restart();
        WatchedRegistration second = registerWhileWatching(b, "after-restart", first.index);
        System.out.println("MEASURED pub/sub watch after a Redis restart: " + second.millisAfterRegistration + " ms");
    }

    private record WatchedRegistration(long index, long millisAfterRegistration) {
    }

    /**
     * Parks a blocking query on host-a, registers {@code service} from a host-b process, and follows the index
     * (a restart may first show the registry emptied) until host-a's answer holds it.
     */
    private WatchedRegistration registerWhileWatching(Launcher b, String service, long index) throws Exception {
        var waiting = getAsync(ALLOCATIONS + "?index=" + index + "&wait=5m");
        Launcher.Result allocated = b.run("allocate", "--service", service, "--type", "testing");
        assertEquals(0, allocated.exit(), allocated.toString());
        long registered = System.nanoTime();
        long end = System.currentTimeMillis() + DEADLINE_MILLIS;
        while (true) {
            HttpResponse<String> woke = waiting.get(Math.max(1, end - System.currentTimeMillis()),
                    TimeUnit.MILLISECONDS);
            assertEquals(200, woke.statusCode(), woke.body());
            long now = index(woke);
            if (woke.body().contains("\"" + service + "\"") && woke.body().contains("\"host-b\"")) {
                return new WatchedRegistration(now,
                        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - registered));
            }
            if (System.currentTimeMillis() > end) {
                throw new AssertionError("host-a never showed " + service + " of host-b; it shows " + woke.body());
            }
            waiting = getAsync(ALLOCATIONS + "?index=" + now + "&wait=5m");
        }
    }

    /** /metrics once it has a sample line starting with {@code prefix} (within the deadline). */
    private String awaitMetrics(String prefix) throws Exception {
        long end = System.currentTimeMillis() + DEADLINE_MILLIS;
        while (true) {
            String body = get("/metrics", Duration.ofSeconds(60)).body();
            if (body.lines().anyMatch(l -> l.startsWith(prefix))) {
                return body;
            }
            if (System.currentTimeMillis() > end) {
                throw new AssertionError("no " + prefix + "in /metrics: " + body);
            }
            Thread.sleep(200);
        }
    }

    /** The value of the sample line {@code series value}, or null. */
    private static String sample(String metrics, String series) {
        return metrics.lines().filter(l -> l.startsWith(series + " ")).map(l -> l.substring(series.length() + 1))
                .findFirst().orElse(null);
    }

    private java.util.concurrent.CompletableFuture<HttpResponse<String>> getAsync(String path) {
        return CLIENT.sendAsync(HttpRequest.newBuilder(sidecar.uri(path)).timeout(Duration.ofMinutes(6)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(String path, Duration deadline) throws Exception {
        return getAsync(path).get(deadline.toMillis(), TimeUnit.MILLISECONDS);
    }

    private static long index(HttpResponse<?> r) {
        String h = r.headers().firstValue(INDEX).orElse(null);
        assertNotNull(h, "no " + INDEX + " on " + r.uri() + ": " + r.headers().map());
        return Long.parseLong(h);
    }
}
