package dev.portmanager.agent.it;

import dev.portmanager.Endpoint;
import dev.portmanager.PortManager;
import dev.portmanager.config.PortManagerConfig;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;

/** Discovery as another process on the host sees it: the core's lookup on the children's state directory. */
final class Registry {
    private Registry() {
    }

    static List<Endpoint> lookup(PortManagerConfig config, String service) {
        try (PortManager pm = PortManager.open(config)) {
            return pm.lookup(service);
        }
    }

    static List<Endpoint> lookup(Path stateDir, String service) {
        return lookup(PortManagerConfig.defaults().withStateDir(stateDir), service);
    }

    /** Polls until the endpoints satisfy {@code condition} (registration is asynchronous on Redis). */
    static List<Endpoint> awaitLookup(PortManagerConfig config, String service, Predicate<List<Endpoint>> condition,
                                      Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        // One viewer for the whole wait: its Redis connection is made lazily, in the background.
        try (PortManager pm = PortManager.open(config)) {
            List<Endpoint> found = pm.lookup(service);
            while (!condition.test(found) && System.nanoTime() < deadline) {
                Thread.sleep(200);
                found = pm.lookup(service);
            }
            return found;
        }
    }
}
