package dev.portmanager.agent.subjects;

import dev.portmanager.Endpoint;
import dev.portmanager.PortManager;
import dev.portmanager.config.PortManagerConfig;
import dev.portmanager.discovery.DiscoveryClient;

import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.List;

/**
 * An app under the agent that also uses PortManager itself, on the same state directory: binds its hardcoded port
 * (first argument; the agent registers it), then looks itself up through its own {@code DiscoveryClient} while
 * another thread binds and closes sockets (the agent allocating and releasing at the same time), allocates and
 * releases through its own {@code PortManager}, closes both and keeps serving. The other thread binds and closes
 * a second hardcoded port (fourth argument) over and over, so the agent updates a record the lookups read at the
 * same time. Prints {@code FOUND <ports>} for the last lookup, {@code CLOSED} when its own clients are closed,
 * {@code ERROR <exception>} on any failure. Arguments: port stateDir service churnPort.
 */
public final class OwnDiscoveryApp {
    public static void main(String[] args) throws Exception {
        ServerSocket server = new ServerSocket(Subject.port(args));
        Subject.listening(server.getLocalPort());
        PortManagerConfig config = PortManagerConfig.defaults().withStateDir(Path.of(args[1]));
        int churnPort = Integer.parseInt(args[3]);
        Thread churn = new Thread(() -> {
            try {
                for (int i = 0; i < 300; i++) {
                    new ServerSocket(churnPort).close();
                }
            } catch (Exception e) {
                System.out.println("ERROR " + e);
            }
        });
        try (DiscoveryClient discovery = DiscoveryClient.create(config); PortManager own = PortManager.open(config)) {
            churn.start();
            List<Endpoint> found = List.of();
            while (churn.isAlive()) {
                found = discovery.lookup(args[2]);
                own.release(own.allocatePort("own-use", null, null));
            }
            churn.join();
            found = discovery.lookup(args[2]);
            System.out.println("FOUND " + found.stream().map(Endpoint::port).toList());
        } catch (Throwable e) {
            System.out.println("ERROR " + e);
        }
        System.out.println("CLOSED");
        System.out.flush();
        while (true) {
            Subject.greet(server.accept(), "serversocket");
        }
    }
}
