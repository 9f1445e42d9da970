package dev.portmanager.registry;

import dev.portmanager.Allocation;
import dev.portmanager.AllocationState;
import dev.portmanager.Owner;
import dev.portmanager.config.PortManagerConfig;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * A separate JVM that publishes through {@link RegistrySync}, as a real owner process would. Started by
 * {@link RegistryProcessesTest}; speaks on stdout ({@code READY}, {@code DONE}) and listens on stdin ({@code GO}).
 *
 * <ul>
 *   <li>{@code hold <uri> <leaseMs> <host> <firstPort> <count>}: publish, say READY, then live until killed</li>
 *   <li>{@code race <uri> <leaseMs> <host> <firstPort> <count>}: say READY, wait for GO, publish, say DONE,
 *       live until killed</li>
 *   <li>{@code return <uri> <leaseMs> <host> <firstPort> <count>}: publish, say READY, return from main without
 *       closing anything (the JVM must still exit: every thread is a daemon)</li>
 * </ul>
 */
public final class RegistryChild {
    private RegistryChild() {
    }

    public static void main(String[] args) throws Exception {
        String mode = args[0];
        long lease = Long.parseLong(args[2]);
        String host = args[3];
        int firstPort = Integer.parseInt(args[4]);
        int count = Integer.parseInt(args[5]);
        PortManagerConfig config = PortManagerConfig.defaults().withStore(args[1])
                .withLease(Duration.ofMillis(lease));
        RegistrySync sync = RegistrySync.forConfig(config);
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        if (mode.equals("race")) {
            System.out.println("READY");
            System.out.flush();
            if (!"GO".equals(in.readLine())) {
                return;
            }
        }
        Owner me = Owner.current();
        for (int i = 0; i < count; i++) {
            long now = System.currentTimeMillis();
            sync.track(new Allocation(host, firstPort + i, "child-svc", "testing", "child-" + me.pid(), "main", 0,
                    "127.0.0.1", me.pid(), me.startEpochMillis(), now, lease, now + lease,
                    AllocationState.LISTENING, 1, "test"));
        }
        if (!sync.flush(Duration.ofSeconds(60))) {
            System.out.println("FLUSH-FAILED");
            System.exit(2);
        }
        System.out.println(mode.equals("race") ? "DONE" : "READY");
        System.out.flush();
        if (mode.equals("return")) {
            return;
        }
        Thread.sleep(Long.MAX_VALUE);
    }
}
