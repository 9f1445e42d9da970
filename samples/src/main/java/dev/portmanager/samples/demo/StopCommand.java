package dev.portmanager.samples.demo;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * `demo.sh --stop RUN_DIR`: stops a fleet left running by --keep, from its pid file. A pid counts only when the
 * process still has the recorded start time (to the second), so a pid the OS has since reused for something else is left alone.
 */
final class StopCommand {
    private StopCommand() {
    }

    static int run(Path runDir) throws IOException {
        return run(runDir, System.out, System.err);
    }

    /**
     * Stops every live process of the pid file, one line per service (a service run through `portmanager run` is
     * two processes, the launcher and its child), then removes the run directory.
     */
    static int run(Path runDir, PrintStream out, PrintStream err) throws IOException {
        Path file = runDir.resolve("fleet.pids");
        if (!Files.isRegularFile(file)) {
            err.println("no fleet.pids in " + runDir + ": not a demo run directory, or already stopped");
            return 2;
        }
        List<ProcessHandle> ours = new ArrayList<>();
        Map<String, List<Long>> byService = new LinkedHashMap<>();
        for (String line : Files.readAllLines(file)) {
            String[] f = line.split(" ", 3);
            long pid = Long.parseLong(f[0]);
            long start = Long.parseLong(f[1]);
            Optional<ProcessHandle> h = ProcessHandle.of(pid).filter(ProcessHandle::isAlive)
                    .filter(p -> Math.abs(p.info().startInstant().map(Instant::toEpochMilli).orElse(0L) - start) <= 1000);
            if (h.isPresent()) {
                ours.add(h.get());
                byService.computeIfAbsent(f[2], k -> new ArrayList<>()).add(pid);
            }
        }
        byService.forEach((service, pids) -> out.println("  stopping " + service + " (pid"
                + (pids.size() == 1 ? " " : "s ") + pids.stream().map(String::valueOf).collect(Collectors.joining(", "))
                + ")"));
        ours.forEach(ProcessHandle::destroy);
        for (ProcessHandle h : ours) {
            try {
                h.onExit().get(10, java.util.concurrent.TimeUnit.SECONDS);
            } catch (Exception e) {
                h.destroyForcibly();
            }
        }
        long left = ours.stream().filter(ProcessHandle::isAlive).count();
        out.println(ours.isEmpty() ? "nothing of that fleet was still running"
                : left == 0 ? "stopped " + ours.size() + " processes; none left"
                : left + " processes would not stop");
        if (left != 0) {
            return 1;
        }
        // The logs of a fleet that was stopped as asked are not needed any more (a clean demo run removes its
        // directory too); the directory goes only when every process is gone.
        try (Stream<Path> paths = Files.walk(runDir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
            out.println("removed " + runDir);
        } catch (IOException e) {
            err.println("could not remove " + runDir + " (" + e + "); the fleet itself is stopped");
        }
        return 0;
    }
}
