package dev.portmanager.agent;

import java.lang.instrument.Instrumentation;
import java.util.function.Supplier;

/**
 * Where the launcher hands over: initializing this class starts the agent. The launcher lives on another class
 * loader, so it cannot call {@link AgentMain} directly; a reflective call would spin method-handle classes on
 * JDK 18+ before the application starts. Instead the agent's class loader carries the launch arguments behind a JDK
 * interface. A class of its own, so that {@link AgentMain}'s own initialization is never held up by a start in
 * progress.
 */
final class AgentEntry {
    private AgentEntry() {
    }

    static {
        ClassLoader loader = AgentEntry.class.getClassLoader();
        @SuppressWarnings("unchecked")
        Object[] launch = ((Supplier<Object[]>) loader).get();
        AgentMain.start((String) launch[0], (Instrumentation) launch[1], loader);
    }
}
