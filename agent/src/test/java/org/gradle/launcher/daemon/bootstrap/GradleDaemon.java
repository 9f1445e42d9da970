package org.gradle.launcher.daemon.bootstrap;

import dev.portmanager.agent.subjects.ServerSocketApp;

/**
 * Stands in for Gradle's daemon (same main class name, which the agent's default exclude list names): runs the
 * plain {@code new ServerSocket(port)} subject.
 */
public final class GradleDaemon {
    public static void main(String[] args) throws Exception {
        ServerSocketApp.main(args);
    }
}
