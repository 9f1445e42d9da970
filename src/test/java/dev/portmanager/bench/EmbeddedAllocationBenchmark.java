package dev.portmanager.bench;

import dev.portmanager.AllocationRequest;
import dev.portmanager.PortManager;
import dev.portmanager.config.PortManagerConfig;
import dev.portmanager.config.PortRange;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Allocations per second on the embedded store (a real state directory on disk), measured in real processes:
 * <ul>
 *   <li>growth: one process allocates 5,000 ports in a row; the rate is reported for each stretch
 *       (allocations 1-10, 11-100, 101-1,000, 1,001-5,000), so a drop-off as the directory fills shows;</li>
 *   <li>one process vs four: 4,000 allocations by one process, then 1,000 each by four processes started
 *       together on one state directory (aggregate rate from first start to last finish).</li>
 * </ul>
 * Each measurement starts on a fresh state directory; a warm-up pass runs first in every process.
 * Usage: {@code EmbeddedAllocationBenchmark} (coordinator) or {@code EmbeddedAllocationBenchmark worker DIR N}.
 */
public final class EmbeddedAllocationBenchmark {
    /** A 6,000-port range below the kernel's ephemeral range; ports something listens on are skipped anyway. */
    private static final int RANGE_START = 14000;
    private static final int RANGE_END = 19999;

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("worker")) {
            worker(Path.of(args[1]), Integer.parseInt(args[2]), Long.parseLong(args[3]));
            return;
        }
        Path root = Files.createTempDirectory("pm-bench");
        try {
            growth(root.resolve("growth"));
            int total = 4000;
            double one = processes(root.resolve("one"), 1, total);
            double four = processes(root.resolve("four"), 4, total / 4);
            System.out.printf("processes=1 allocations=%d rate=%.0f/s%n", total, one);
            System.out.printf("processes=4 allocations=%d rate=%.0f/s (aggregate)%n", total, four);
        } finally {
            delete(root);
        }
    }

    public static PortManagerConfig config(Path stateDir) {
        Map<String, PortRange> ranges = new LinkedHashMap<>();
        ranges.put("ml", new PortRange("ml", "bench", RANGE_START, RANGE_END, 2));
        ranges.put("dynamic", new PortRange("dynamic", "pool", 20000, 20099, 4));
        return PortManagerConfig.defaults().withRanges(ranges).withStateDir(stateDir).withHost("bench");
    }

    private static void warmUp(Path dir) {
        try (PortManager pm = PortManager.open(config(dir))) {
            // One instance: it gets its port back at once each time, so the warm-up exercises the allocation path
            // without creating thousands of sticky files (one per instance, written when an instance lets go).
            for (int i = 0; i < 2000; i++) {
                pm.release(pm.allocate(AllocationRequest.forService("warmup").type("ml")));
            }
        }
    }

    private static void growth(Path dir) {
        warmUp(dir.resolve("warmup"));
        int[] marks = {10, 100, 1000, 5000};
        try (PortManager pm = PortManager.open(config(dir))) {
            int done = 0;
            for (int mark : marks) {
                long start = System.nanoTime();
                int n = mark - done;
                for (int i = 0; i < n; i++) {
                    pm.allocate(AllocationRequest.forService("svc").type("ml").instance("i" + (done + i)));
                }
                double seconds = (System.nanoTime() - start) / 1e9;
                System.out.printf("growth allocations=%d-%d rate=%.0f/s (%.1f us each)%n", done + 1, mark,
                        n / seconds, seconds * 1e6 / n);
                done = mark;
            }
        }
    }

    /** Starts {@code count} worker processes together; returns allocations per second over all of them. */
    private static double processes(Path dir, int count, int each) throws Exception {
        Files.createDirectories(dir);
        // Every worker warms up, then waits for this common moment, so that no worker's measured window
        // overlaps another's JVM start or warm-up (nanoTime is CLOCK_MONOTONIC: comparable across processes).
        long startAt = System.nanoTime() + 10_000_000_000L;
        List<Process> workers = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            workers.add(new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), EmbeddedAllocationBenchmark.class.getName(),
                    "worker", dir.toString(), Integer.toString(each), Long.toString(startAt))
                    .redirectErrorStream(true).start());
        }
        long first = Long.MAX_VALUE;
        long last = 0;
        for (Process p : workers) {
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream()));
            String line;
            while ((line = out.readLine()) != null) {
                if (line.startsWith("window ")) {
                    String[] f = line.split(" ");
                    first = Math.min(first, Long.parseLong(f[1]));
                    last = Math.max(last, Long.parseLong(f[2]));
                } else {
                    System.out.println("worker: " + line);
                }
            }
            if (p.waitFor() != 0) {
                throw new IllegalStateException("worker failed");
            }
        }
        return count * (double) each / ((last - first) / 1e9);
    }

    /** Warms up on its own directory, waits for the others at a common start, allocates, prints its window. */
    private static void worker(Path dir, int each, long startAt) throws IOException, InterruptedException {
        warmUp(Files.createTempDirectory(dir, "warmup"));
        try (PortManager pm = PortManager.open(config(dir.resolve("state")))) {
            long wait = startAt - System.nanoTime();
            if (wait < 0) {
                System.out.println("started " + (-wait / 1_000_000) + " ms late: the machine is too busy");
            } else {
                Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
            }
            long start = System.nanoTime();
            String me = Long.toString(ProcessHandle.current().pid());
            for (int i = 0; i < each; i++) {
                pm.allocate(AllocationRequest.forService("svc" + me).type("ml").instance("i" + i));
            }
            long end = System.nanoTime();
            // nanoTime is comparable across processes on one Linux host (CLOCK_MONOTONIC).
            System.out.println("window " + start + " " + end);
        }
    }

    private static void delete(Path root) throws IOException {
        try (Stream<Path> all = Files.walk(root)) {
            all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
