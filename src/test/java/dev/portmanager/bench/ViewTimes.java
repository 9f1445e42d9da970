package dev.portmanager.bench;

import dev.portmanager.PortManager;
import dev.portmanager.config.PortManagerConfig;
import dev.portmanager.host.StateDirectory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The views' time on an existing state directory: the first allocations view alone, then allocations, lookup,
 * utilization and conflicts, each run 3 times to warm up and then 15 times; prints the median of each, the number of records in the claims file and its
 * length before and after. Argument: stateDir.
 */
public final class ViewTimes {
    private static final int WARM_UP = 3;
    private static final int RUNS = 15;

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        long before = Files.size(dir.resolve("claims"));
        try (PortManager pm = PortManager.open(PortManagerConfig.defaults().withStateDir(dir))) {
            long t0 = System.nanoTime();
            pm.allocations();
            System.out.printf("%-12s first call %.2f ms (reads the file as the churn left it)%n", "allocations",
                    (System.nanoTime() - t0) / 1e6);
            time("allocations", () -> pm.allocations());
            time("lookup", () -> pm.lookup("churn"));
            time("utilization", () -> pm.utilization());
            time("conflicts", () -> pm.conflicts());
        }
        StateDirectory state = new StateDirectory(dir);
        int records = state.claimedPorts().size();
        state.close();
        System.out.printf("records %d, claims file %d bytes before the views, %d after%n", records, before,
                Files.size(dir.resolve("claims")));
    }

    private static void time(String view, Runnable run) {
        double[] ms = new double[RUNS];
        for (int i = 0; i < WARM_UP + RUNS; i++) {
            long t0 = System.nanoTime();
            run.run();
            if (i >= WARM_UP) {
                ms[i - WARM_UP] = (System.nanoTime() - t0) / 1e6;
            }
        }
        Arrays.sort(ms);
        System.out.printf("%-12s median %.2f ms%n", view, ms[RUNS / 2]);
    }
}
