package dev.portmanager.testing;

import dev.portmanager.Endpoint;
import dev.portmanager.PortManager;
import dev.portmanager.config.PortManagerConfig;

import java.nio.file.Path;

/**
 * A child process that looks a service up on a state directory the way another process on the host would, and
 * prints one port per line, then {@code END}. Arguments: stateDir service.
 */
public final class LookupOnce {
    public static void main(String[] args) {
        try (PortManager pm = PortManager.open(PortManagerConfig.defaults().withStateDir(Path.of(args[0])))) {
            for (Endpoint e : pm.lookup(args[1])) {
                System.out.println(e.port());
            }
        }
        System.out.println("END");
    }
}
