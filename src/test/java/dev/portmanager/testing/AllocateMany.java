package dev.portmanager.testing;

import dev.portmanager.Allocation;
import dev.portmanager.AllocationRequest;
import dev.portmanager.PortManager;
import dev.portmanager.config.ConfigFile;

import java.nio.file.Path;
import java.time.Duration;

/**
 * A child process for race tests: allocates {@code count} ports for service {@code name} from a config file,
 * prints one port per line, waits for the registry to have them all (when one is configured), prints
 * {@code done} and then halts without releasing, so the allocations outlive the check.
 * Arguments: configFile service count.
 */
public final class AllocateMany {
    public static void main(String[] args) throws Exception {
        PortManager pm = PortManager.open(ConfigFile.load(Path.of(args[0])));
        int count = Integer.parseInt(args[2]);
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < count; i++) {
            Allocation a = pm.allocate(AllocationRequest.forService(args[1]).type("ml").instance(args[1] + "-" + i));
            out.append(a.port()).append('\n');
        }
        System.out.print(out);
        System.out.println(pm.flushRegistry(Duration.ofSeconds(240)) ? "done" : "registry-pending");
        System.out.flush();
        // Stay alive (owning the ports) until the parent closes our stdin.
        System.in.read();
        Runtime.getRuntime().halt(0);
    }
}
