package dev.portmanager.agent.launcher;

import java.io.File;
import java.lang.instrument.Instrumentation;

/**
 * The javaagent entry point: the only agent class the application's class loader can see (with
 * {@link AgentClassLoader}). It creates the agent's private class loader over the {@code inst/} part of the agent
 * jar and hands over to {@code dev.portmanager.agent.AgentMain} inside it.
 *
 * <p>Kept free of lambdas and string concatenation on purpose: each would bootstrap invokedynamic machinery
 * (10-15 ms) before the application even starts.
 */
public final class AgentLauncher {
    private static final String MAIN = "dev.portmanager.agent.AgentMain";

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
            ClassLoader loader = AgentClassLoader.over(jar);
            Class<?> main = Class.forName(MAIN, true, loader);
            main.getMethod("start", String.class, Instrumentation.class, ClassLoader.class)
                    .invoke(null, args, inst, loader);
        } catch (Throwable failure) {
            Throwable cause = failure.getCause() != null ? failure.getCause() : failure;
            System.err.println("[portmanager] agent not started, every bind goes ahead as asked: ".concat(cause.toString()));
        }
    }
}
