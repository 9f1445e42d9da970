package dev.portmanager.agent.subjects;

import java.net.ServerSocket;

/**
 * Binds its hardcoded port (first argument) and serves; meanwhile, once a second, binds and closes a second
 * hardcoded port (second argument), so that the agent allocates again and again (each allocation judges, and
 * reaps, claims it finds stale on its way through the range).
 */
public final class TickingApp {
    public static void main(String[] args) throws Exception {
        ServerSocket server = new ServerSocket(Subject.port(args));
        Subject.listening(server.getLocalPort());
        int tick = Integer.parseInt(args[1]);
        Thread ticker = new Thread(() -> {
            while (true) {
                try {
                    new ServerSocket(tick).close();
                    Thread.sleep(1000);
                } catch (Exception e) {
                    System.out.println("ERROR " + e);
                    return;
                }
            }
        });
        ticker.setDaemon(true);
        ticker.start();
        while (true) {
            Subject.greet(server.accept(), "serversocket");
        }
    }
}
