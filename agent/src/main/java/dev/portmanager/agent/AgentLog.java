package dev.portmanager.agent;

/**
 * The agent's one-line messages: stderr, prefixed {@code [portmanager]}. Never stdout, which belongs to the app.
 */
public final class AgentLog {
    private AgentLog() {
    }

    public static void line(String message) {
        System.err.println("[portmanager] ".concat(message));
    }
}
