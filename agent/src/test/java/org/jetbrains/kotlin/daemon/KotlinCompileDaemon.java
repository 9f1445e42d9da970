package org.jetbrains.kotlin.daemon;

import dev.portmanager.agent.subjects.ServerSocketApp;

/**
 * Stands in for the Kotlin compile daemon (same main class name, which the agent's default exclude list names): runs the
 * plain {@code new ServerSocket(port)} subject.
 */
public final class KotlinCompileDaemon {
    public static void main(String[] args) throws Exception {
        ServerSocketApp.main(args);
    }
}
