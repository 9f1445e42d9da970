package org.gradle.launcher.daemon.bootstrap;

import java.net.ServerSocket;

/**
 * Stands in for Gradle's daemon (same main class name, which the agent's default exclude list names): binds the
 * port given as its first argument and says so, like every subject app.
 */
public final class GradleDaemon {
    public static void main(String[] args) throws Exception {
        ServerSocket server = new ServerSocket(Integer.parseInt(args[0]));
        System.out.println("LISTENING " + server.getLocalPort());
        System.out.flush();
        while (true) {
            server.accept().close();
        }
    }
}
