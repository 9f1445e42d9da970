package dev.portmanager.agent.it;

import java.nio.file.Files;
import java.nio.file.Path;

/** Where the build put things the child JVMs need. */
final class AgentJar {
    private AgentJar() {
    }

    static Path path() {
        Path jar = Path.of(System.getProperty("portmanager.agent.jar", "target/portmanager-agent.jar"));
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("agent jar missing: " + jar + " (run mvn package first)");
        }
        return jar;
    }

    /** The subject apps (this module's test classes). */
    static String subjects() {
        return System.getProperty("portmanager.subject.classpath", "target/test-classes");
    }

    /** Subjects plus Netty 4.2 (the version the build pins). */
    static String subjectsWithNetty() {
        return subjects() + java.io.File.pathSeparator + System.getProperty("portmanager.subject.netty.classpath");
    }

    /** Subjects plus an older Netty and SLF4J of the app's own. */
    static String subjectsWithForeignLibs() throws java.io.IOException {
        StringBuilder cp = new StringBuilder(subjects());
        try (var jars = Files.list(Path.of(System.getProperty("portmanager.foreign.libs")))) {
            jars.sorted().forEach(j -> cp.append(java.io.File.pathSeparator).append(j));
        }
        return cp.toString();
    }
}
