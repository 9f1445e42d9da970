package dev.portmanager.agent;

import dev.portmanager.AllocationRequest;

/**
 * The service name used when none is configured: derived from what the JVM was told to run
 * ({@code sun.java.command}): {@code -jar path/legacy-emotion-1.4.jar} gives {@code legacy-emotion};
 * a main class {@code com.acme.EmotionServer} gives {@code EmotionServer}.
 */
final class ServiceNames {
    private ServiceNames() {
    }

    static String fromCommand(String command) {
        if (command == null || command.isBlank()) {
            return fallback();
        }
        String first = command.trim().split("\\s+")[0];
        String name;
        if (first.endsWith(".jar")) {
            String file = first.substring(Math.max(first.lastIndexOf('/'), first.lastIndexOf('\\')) + 1);
            name = file.substring(0, file.length() - ".jar".length()).replaceFirst("-\\d[\\w.\\-]*$", "");
        } else {
            name = first.substring(first.lastIndexOf('.') + 1);
        }
        name = name.replaceAll("[^A-Za-z0-9._-]", "-").replaceAll("^[._-]+", "");
        if (name.length() > 100) {
            name = name.substring(0, 100);
        }
        return AllocationRequest.NAME.matcher(name).matches() ? name : fallback();
    }

    private static String fallback() {
        return "java-" + ProcessHandle.current().pid();
    }
}
