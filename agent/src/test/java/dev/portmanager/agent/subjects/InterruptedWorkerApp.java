package dev.portmanager.agent.subjects;

import java.net.ServerSocket;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * A worker whose interrupt flag is set (as after {@code ExecutorService.shutdownNow()}) binds and closes server
 * sockets (a managed port and port 0); then the main thread binds the hardcoded port (its first argument, taken by
 * another process). Prints {@code FLAG <still set>} for the worker and {@code LISTENING <port>} for the last bind.
 */
public final class InterruptedWorkerApp {
    public static void main(String[] args) throws Exception {
        int hardcoded = Subject.port(args);
        int workerPort = Integer.parseInt(args[1]);
        ExecutorService pool = Executors.newSingleThreadExecutor();
        Future<Boolean> worker = pool.submit(() -> {
            Thread.currentThread().interrupt();
            try (ServerSocket managed = new ServerSocket(workerPort); ServerSocket ephemeral = new ServerSocket(0)) {
                managed.getLocalPort();
                ephemeral.getLocalPort();
            }
            return Thread.currentThread().isInterrupted();
        });
        System.out.println("FLAG " + worker.get());
        pool.shutdownNow();
        ServerSocket server = new ServerSocket(hardcoded);
        Subject.listening(server.getLocalPort());
        while (true) {
            Subject.greet(server.accept(), "serversocket");
        }
    }
}
