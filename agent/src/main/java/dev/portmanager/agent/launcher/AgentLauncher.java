package dev.portmanager.agent.launcher;

import java.io.File;
import java.lang.instrument.Instrumentation;

/**
 * The javaagent entry point: the only agent class the application's class loader can see (with
 * {@link AgentClassLoader}). It creates the agent's private class loader over the {@code inst/} part of the agent
 * jar and hands over to {@code dev.portmanager.agent.AgentMain} inside it.
 *
 * <p>Kept free of lambdas, string concatenation and reflection on purpose: each would bootstrap method-handle
 * machinery (milliseconds; on JDK 18+ a reflective call spins method-handle classes too) before the application
 * even starts. The hand-over is the initialization of one class, which reads its arguments from its class loader.
 */
public final class AgentLauncher {
    /** Its static initializer starts the agent (see {@link AgentClassLoader#get}). */
    private static final String ENTRY = "dev.portmanager.agent.AgentEntry";

    private AgentLauncher() {
    }

    public static void premain(String args, Instrumentation inst) {
        // Set host-wide, the agent reaches every JDK and build tool too: they are let go before anything loads.
        // (Not on agentmain: attaching to a running JVM is a deliberate act.)
        if (JvmFilter.skips(args)) {
            return;
        }
        launch(args, inst);
    }

    public static void agentmain(String args, Instrumentation inst) {
        launch(args, inst);
    }

    private static void launch(String args, Instrumentation inst) {
        try {
            File jar = new File(AgentLauncher.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            // Typed ClassLoader through a factory: naming AgentClassLoader here would make the verifier load it
            // with this class, before JvmFilter has spoken.
            ClassLoader loader = AgentClassLoader.over(jar, args, inst);
            Class.forName(ENTRY, true, loader);
        } catch (Throwable failure) {
            Throwable cause = failure.getCause() != null ? failure.getCause() : failure;
            System.err.println("[portmanager] agent not started, every bind goes ahead as asked: ".concat(cause.toString()));
        }
    }
}
