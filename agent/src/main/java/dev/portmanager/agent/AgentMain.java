package dev.portmanager.agent;

import dev.portmanager.agent.weave.BindTransformer;

import dev.portmanager.config.PortManagerConfig;

import java.io.File;
import java.lang.instrument.Instrumentation;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The agent's start, inside its own class loader: read the settings, put the bridge into java.base, register the
 * bind transformer, start opening the port manager in the background, and withdraw everything at exit.
 * Nothing here touches the network or waits for anything: the application's main() starts right after.
 */
public final class AgentMain {
    private AgentMain() {
    }

    /** {@code -Dportmanager.debug=true}: rewritten classes and timings, one line each. */
    static final boolean DEBUG = Boolean.getBoolean("portmanager.debug");

    public static void start(String args, Instrumentation inst, ClassLoader agentLoader) {
        long started = System.nanoTime();
        boolean failClosed = AgentSettings.failClosedRequested(args, System.getProperties(), System.getenv());
        try {
            AgentSettings settings = AgentSettings.resolve(args, System.getProperties(), System.getenv());
            ManagerAccess access = new ManagerAccess(settings, agentLoader);
            BindHandler handler = new BindHandler(settings, access, agentLoader);
            byte[] bridge = readBridge(agentLoader);
            if (!BridgeInstaller.install(inst, bridge, handler, handler)) {
                AgentLog.line("already active in this JVM; this extra -javaagent copy does nothing");
                return;
            }
            access.start();
            Thread closer = new Thread(new Closer(access), "portmanager-exit");
            closer.setContextClassLoader(agentLoader);
            Runtime.getRuntime().addShutdownHook(closer);
            installTransformer(inst, agentLoader, rewriteCacheDir(settings));
            if (DEBUG) {
                AgentLog.line("premain took " + (System.nanoTime() - started) / 1000 + " us");
            }
        } catch (SettingsException bad) {
            stop(bad.getMessage(), failClosed);
        } catch (Throwable failure) {
            stop("agent not started (" + failure + ")", failClosed);
        }
    }

    private static void stop(String message, boolean failClosed) {
        if (failClosed) {
            AgentLog.line(message + "; exiting because fail=closed");
            Runtime.getRuntime().halt(2);
        }
        AgentLog.line(message + "; every bind goes ahead as asked");
    }

    /**
     * {@code <stateDir>/agent-cache/<jar size>-<jar time>}: per user (the state directory is), per agent build.
     * Null (no cache) when the jar cannot be located.
     */
    private static Path rewriteCacheDir(AgentSettings settings) {
        try {
            File jar = new File(AgentMain.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            Path stateDir = settings.stateDir != null ? settings.stateDir : PortManagerConfig.defaultStateDir();
            return stateDir.resolve("agent-cache").resolve(jar.length() + "-" + jar.lastModified());
        } catch (Exception | LinkageError e) {
            return null;
        }
    }

    private static byte[] readBridge(ClassLoader agentLoader) throws ReflectiveOperationException {
        // The launcher's loader reads raw entries; reached reflectively because the launcher is on another loader.
        Method read = agentLoader.getClass().getMethod("readEntry", String.class);
        byte[] bytes = (byte[]) read.invoke(agentLoader, BridgeInstaller.BRIDGE_ENTRY);
        if (bytes == null) {
            throw new IllegalStateException("agent jar lacks " + BridgeInstaller.BRIDGE_ENTRY);
        }
        return bytes;
    }

    /**
     * Registers the transformer; retransforms the targets that are already loaded (rare at premain; the rule for
     * a late attach, where the JDK's server classes and the app's Netty may be in use). A class that cannot be
     * retransformed is named in one line: its binds are not managed.
     */
    private static void installTransformer(Instrumentation inst, ClassLoader agentLoader, Path cacheDir) {
        BindTransformer transformer = new BindTransformer(agentLoader, new WeaveLog(), cacheDir);
        List<Class<?>> loaded = new ArrayList<>();
        for (Class<?> c : inst.getAllLoadedClasses()) {
            if (BindTransformer.isTarget(c.getName()) && c.getClassLoader() != agentLoader) {
                loaded.add(c);
            }
        }
        inst.addTransformer(transformer, !loaded.isEmpty());
        for (Class<?> c : loaded) {
            try {
                if (!inst.isModifiableClass(c)) {
                    throw new java.lang.instrument.UnmodifiableClassException(c.getName());
                }
                inst.retransformClasses(c);
            } catch (Exception | LinkageError failure) {
                AgentLog.line("could not rewrite the already loaded " + c.getName() + " (" + failure
                        + "); its binds are not managed");
            }
        }
    }

    /** Only failures are worth a line; a successful rewrite is silent. */
    private static final class WeaveLog implements BindTransformer.WeaveListener {
        @Override
        public void woven(String className, boolean fromCache, long nanos) {
            if (DEBUG) {
                AgentLog.line("rewrote " + className + (fromCache ? " (cached)" : "") + " in " + nanos / 1000 + " us");
            }
        }

        @Override
        public void failed(String className, Throwable failure) {
            AgentLog.line("could not rewrite " + className + " (" + failure + "); its binds are not managed");
        }
    }

    private static final class Closer implements Runnable {
        private final ManagerAccess access;

        Closer(ManagerAccess access) {
            this.access = access;
        }

        @Override
        public void run() {
            access.close();
        }
    }
}
