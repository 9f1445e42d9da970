package dev.portmanager.samples.demo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * `demo.sh --stop RUN_DIR`: stops a fleet left running by --keep, from its pid file. A pid counts only when the
 * process still has the recorded start time (to the second), so a pid the OS has since reused for something else is left alone.
 */
final class StopCommand {
    private StopCommand() {
    }

    static int run(Path runDir) throws IOException {
        Path file = runDir.resolve("fleet.pids");
        if (!Files.isRegularFile(file)) {
            System.err.println("no fleet.pids in " + runDir + ": not a demo run directory, or already stopped");
            return 2;
        }
        List<ProcessHandle> ours = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            String[] f = line.split(" ", 3);
            long pid = Long.parseLong(f[0]);
            long start = Long.parseLong(f[1]);
            Optional<ProcessHandle> h = ProcessHandle.of(pid).filter(ProcessHandle::isAlive)
                    .filter(p -> Math.abs(p.info().startInstant().map(Instant::toEpochMilli).orElse(0L) - start) <= 1000);
            if (h.isPresent()) {
                ours.add(h.get());
                System.out.println("  stopping " + f[2] + " (pid " + pid + ")");
            }
        }
        ours.forEach(ProcessHandle::destroy);
        for (ProcessHandle h : ours) {
            try {
                h.onExit().get(10, java.util.concurrent.TimeUnit.SECONDS);
            } catch (Exception e) {
                h.destroyForcibly();
            }
        }
        long left = ours.stream().filter(ProcessHandle::isAlive).count();
        System.out.println(ours.isEmpty() ? "nothing of that fleet was still running"
                : left == 0 ? "stopped " + ours.size() + " processes; none left" : left + " processes would not stop");
        if (left == 0) {
            Files.delete(file);
        }
        return left == 0 ? 0 : 1;
    }
}
