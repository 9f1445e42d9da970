package org.springframework.boot.loader.launch;

import java.net.ServerSocket;

/**
 * Stands in for Spring Boot's launcher (same class name, as layered images start it: {@code java -cp .
 * org.springframework.boot.loader.launch.JarLauncher}): binds a port-0 server socket and says so.
 */
public final class JarLauncher {
    public static void main(String[] args) throws Exception {
        ServerSocket server = new ServerSocket(0);
        System.out.println("LISTENING " + server.getLocalPort());
        System.out.flush();
        server.accept();
    }
}
