package dev.portmanager.bench;

import dev.portmanager.Allocation;
import dev.portmanager.AllocationState;
import dev.portmanager.registry.BenchAccess;
import dev.portmanager.registry.RedisRegistry;
import dev.portmanager.registry.Registry.PublishOutcome;
import dev.portmanager.testing.RedisServer;
import io.lettuce.core.api.sync.RedisCommands;

import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Latency of the Redis registry's operations as a ratio to a plain GET issued on the same Lettuce connection in
 * the same run, against a redis-server this benchmark starts (run by {@code src/bench/redis.sh}).
 *
 * <p>Each operation is measured alternating call by call with GETs of its own, so that noise from a shared machine
 * lands on both alike, and the ratio is taken against those paired GETs (which of the two goes first alternates;
 * a GET-versus-GET control row shows what the method itself reads as 1.00x); each sample is one synchronous call, timed with {@code System.nanoTime}. It also counts the commands the
 * client sent per operation (a Lettuce command listener), which must be 1: one round trip per register, renew or
 * lookup.
 *
 * <p>Arguments (optional): {@code [samplesPerOperation] [warmupPerOperation]}.
 */
public final class RedisRegistryBenchmark {
    private RedisRegistryBenchmark() {
    }

    public static void main(String[] args) {
        int samples = args.length > 0 ? Integer.parseInt(args[0]) : 50_000;
        int warmup = args.length > 1 ? Integer.parseInt(args[1]) : 20_000;
        try (RedisServer server = RedisServer.launch();
             RedisRegistry registry = new RedisRegistry(server.uri(), "portmanager", 3_600_000)) {
            // the listener must be in place before the connection opens: Lettuce wires listeners at connect time
            AtomicLong sent = BenchAccess.commandCounter(registry);
            RedisCommands<String, String> redis = BenchAccess.sameConnection(registry);
            Fixture f = new Fixture(registry, redis, sent);
            f.prepare();
            Op[] ops = {
                    new Op("GET (control: GET vs GET)", f::get),
                    new Op("lookup, 1 instance", () -> f.lookup("one")),
                    new Op("lookup, 3 instances", () -> f.lookup("three")),
                    new Op("renew (publish, RENEWED)", f::renew),
                    new Op("register (publish, CREATED)", f::register),
            };
            // each operation is paired with GETs of its own, alternating call by call: both see the same load
            // from the rest of the machine and the same after-effects of the other
            Op[] gets = new Op[ops.length];
            for (int i = 0; i < ops.length; i++) {
                gets[i] = new Op("GET", f::get);
                run(gets[i], ops[i], warmup);
                gets[i].reset(samples);
                ops[i].reset(samples);
                run(gets[i], ops[i], samples);
            }
            report(server, gets, ops, f);
        }
    }

    /** Alternates the two, swapping which goes first on every turn so neither gains from its position. */
    private static void run(Op get, Op op, int samples) {
        for (int i = 0; i < samples; i++) {
            if ((i & 1) == 0) {
                get.measureOnce();
                op.measureOnce();
            } else {
                op.measureOnce();
                get.measureOnce();
            }
        }
    }

    private static void report(RedisServer server, Op[] gets, Op[] ops, Fixture f) {
        System.out.printf(Locale.ROOT, "redis-server on 127.0.0.1:%d, Lettuce sync API, %d samples per operation, "
                + "java %s%n", server.port(), ops[0].count, System.getProperty("java.version"));
        System.out.printf(Locale.ROOT, "%-30s %9s %9s %9s %13s %11s%n", "operation", "p50 us", "p90 us", "p99 us",
                "paired GET p50", "p50 / GET");
        for (int i = 0; i < ops.length; i++) {
            Op op = ops[i];
            double base = gets[i].percentile(50);
            System.out.printf(Locale.ROOT, "%-30s %9.1f %9.1f %9.1f %13.1f %10.2fx%n", op.name,
                    op.percentile(50) / 1e3, op.percentile(90) / 1e3, op.percentile(99) / 1e3, base / 1e3,
                    op.percentile(50) / base);
        }
        System.out.printf(Locale.ROOT, "commands sent (round trips) per register: %.2f, per renew: %.2f, "
                + "per lookup: %.2f%n", f.roundTripsPer(f::register), f.roundTripsPer(f::renew),
                f.roundTripsPer(() -> f.lookup("one")));
    }

    /** The data and the calls under test. */
    private static final class Fixture {
        private final RedisRegistry registry;
        private final RedisCommands<String, String> redis;
        private final AtomicLong sent;
        private final Allocation renewed;
        private long registered;
        private long sink;

        Fixture(RedisRegistry registry, RedisCommands<String, String> redis, AtomicLong sent) {
            this.registry = registry;
            this.redis = redis;
            this.sent = sent;
            this.renewed = allocation("host-a", 8100, "renewed", 1);
        }

        void prepare() {
            // a value the size of a small registry entry
            redis.set("{portmanager}:bench:get", "x".repeat(200));
            check(registry.publish(allocation("host-a", 8085, "one", 1)));
            for (int i = 0; i < 3; i++) {
                check(registry.publish(allocation("host-" + i, 8090, "three", 1)));
            }
            check(registry.publish(renewed));
            // unrelated entries, so the scripts do not run against a near-empty keyspace
            for (int i = 0; i < 1000; i++) {
                check(registry.publish(allocation("filler-" + i, 9000 + i % 500, "filler-" + (i % 50), 1)));
            }
        }

        void get() {
            sink += redis.get("{portmanager}:bench:get").length();
        }

        void lookup(String service) {
            sink += registry.lookup(service).size();
        }

        void renew() {
            if (registry.publish(renewed) != PublishOutcome.RENEWED) {
                throw new IllegalStateException("renew did not renew");
            }
        }

        void register() {
            long n = registered++;
            // spread over services, as real registrations are; one service of 70,000 instances is not the case
            Allocation a = allocation("bench-" + (n / 1000), 10_000 + (int) (n % 1000), "registered-" + (n % 100), 1);
            if (registry.publish(a) != PublishOutcome.CREATED) {
                throw new IllegalStateException("register did not create");
            }
        }

        /** Commands the client sent for 1,000 calls, per call. */
        double roundTripsPer(Runnable call) {
            long before = sent.get();
            for (int i = 0; i < 1000; i++) {
                call.run();
            }
            return (sent.get() - before) / 1000.0;
        }

        private static void check(PublishOutcome outcome) {
            if (outcome != PublishOutcome.CREATED) {
                throw new IllegalStateException("setup publish answered " + outcome);
            }
        }

        private static Allocation allocation(String host, int port, String service, long generation) {
            long now = System.currentTimeMillis();
            // a lease far longer than the run, so that nothing expires while it is measured
            long lease = 3_600_000;
            return new Allocation(host, port, service, "microservice", service + "-1", "main", port, "10.0.0.7",
                    4242, now - 10_000, now, lease, now + lease, AllocationState.LISTENING, generation,
                    "preferred port");
        }
    }

    /** One measured operation and its samples (ns). */
    private static final class Op {
        final String name;
        final Runnable call;
        long[] nanos = new long[0];
        int count;

        Op(String name, Runnable call) {
            this.name = name;
            this.call = call;
        }

        void reset(int capacity) {
            nanos = new long[capacity];
            count = 0;
        }

        void measureOnce() {
            long t0 = System.nanoTime();
            call.run();
            long dt = System.nanoTime() - t0;
            if (count < nanos.length) {
                nanos[count++] = dt;
            }
        }

        double percentile(int p) {
            long[] sorted = Arrays.copyOf(nanos, count);
            Arrays.sort(sorted);
            return sorted[Math.min(count - 1, (int) Math.ceil(p / 100.0 * count) - 1)];
        }
    }
}
