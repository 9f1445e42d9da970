package dev.portmanager.registry;

import dev.portmanager.PortManager;
import dev.portmanager.config.PortManagerConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A Redis that accepts connections and never answers (black-holed): registry reads give up with a
 * {@link RegistryTimeoutException} that says so, and the facade reports the registry part as stale while still
 * serving this host's view.
 */
class RedisReadTimeoutTest {
    @TempDir
    Path dir;
    private ServerSocket blackHole;
    private final List<Socket> accepted = new ArrayList<>();
    private Thread acceptor;

    @BeforeEach
    void openBlackHole() throws IOException {
        blackHole = new ServerSocket();
        blackHole.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        acceptor = new Thread(() -> {
            while (!blackHole.isClosed()) {
                try {
                    Socket s = blackHole.accept();
                    synchronized (accepted) {
                        accepted.add(s); // held open, never read from or written to
                    }
                } catch (IOException e) {
                    return;
                }
            }
        }, "black-hole");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    @AfterEach
    void closeBlackHole() throws Exception {
        blackHole.close();
        acceptor.join(5_000);
        synchronized (accepted) {
            for (Socket s : accepted) {
                s.close();
            }
        }
    }

    private String uri() {
        return "redis://:secret@127.0.0.1:" + blackHole.getLocalPort();
    }

    @Test
    void concurrentReadsOfABlackHoledRedisEachGiveUp() throws Exception {
        try (RedisRegistry registry = new RedisRegistry(uri(), "portmanager", 30_000)) {
            // the first connect of a process gets its handshake time; it fails all the same
            assertThrows(RegistryUnavailableException.class, () -> registry.lookup("svc"));
            ExecutorService pool = Executors.newFixedThreadPool(8);
            try {
                List<Future<RuntimeException>> reads = new ArrayList<>();
                for (int i = 0; i < 8; i++) {
                    boolean all = i % 2 == 0;
                    reads.add(pool.submit(() -> {
                        try {
                            if (all) {
                                registry.allocations();
                            } else {
                                registry.lookup("svc");
                            }
                            return null;
                        } catch (RuntimeException e) {
                            return e;
                        }
                    }));
                }
                for (Future<RuntimeException> read : reads) {
                    RuntimeException e = read.get(60, TimeUnit.SECONDS);
                    // mostly "did not answer within 1000 ms"; a read that starts just as a connect attempt gives
                    // up gets that attempt's failure instead: stale either way, never a hang
                    assertTrue(e instanceof RegistryUnavailableException, String.valueOf(e));
                    assertTrue(e.getMessage().startsWith("Redis registry redis://127.0.0.1:"
                            + blackHole.getLocalPort() + "/0"), e.getMessage());
                    assertTrue(!e.getMessage().contains("secret"), e.getMessage());
                }
            } finally {
                pool.shutdownNow();
            }
        }
    }

    @Test
    void theFacadeServesThisHostAndSaysTheRegistryPartIsStale() {
        PortManagerConfig config = PortManagerConfig.defaults().withStateDir(dir.resolve("state")).withStore(uri());
        try (PortManager pm = PortManager.open(config)) {
            assertTrue(pm.registryStale().isEmpty(), "nothing read yet");
            assertEquals(List.of(), pm.lookup("svc"));
            String why = pm.registryStale().orElseThrow();
            assertTrue(why.contains("redis://127.0.0.1:" + blackHole.getLocalPort()), why);
            assertTrue(!why.contains("secret"), why);
        }
    }
}
