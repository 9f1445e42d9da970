package dev.portmanager.agent.subjects;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.ServerSocket;

/**
 * Binds its port (args[0]) in a shutdown hook that runs after the agent's own hook has closed the agent's port
 * manager (it joins the agent's exit thread first). Exits with status 0 on a line on stdin.
 */
public final class ShutdownBindApp {
    public static void main(String[] args) throws Exception {
        int port = Subject.port(args);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                // Hooks start in no set order, one right after another: look for the agent's for up to 2 s (not
                // seen by then: it already ended), then wait for its end.
                long deadline = System.nanoTime() + 2_000_000_000L;
                Thread agentHook = null;
                while (agentHook == null && System.nanoTime() < deadline) {
                    for (Thread t : Thread.getAllStackTraces().keySet()) {
                        if (t.getName().equals("portmanager-exit")) {
                            agentHook = t;
                        }
                    }
                    Thread.sleep(5);
                }
                if (agentHook != null) {
                    agentHook.join(20_000);
                    System.out.println("AGENT HOOK DONE " + !agentHook.isAlive());
                } else {
                    System.out.println("AGENT HOOK DONE true");
                }
                try (ServerSocket late = new ServerSocket(port)) {
                    System.out.println("AFTER-EXIT " + late.getLocalPort());
                }
            } catch (Exception e) {
                System.out.println("AFTER-EXIT failed " + e);
            }
            System.out.flush();
        }));
        System.out.println("READY");
        System.out.flush();
        new BufferedReader(new InputStreamReader(System.in)).readLine();
        System.exit(0);
    }
}
