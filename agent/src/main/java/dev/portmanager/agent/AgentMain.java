package dev.portmanager.agent;

import dev.portmanager.agent.weave.BindTransformer;
import dev.portmanager.agent.weave.PrivateDirectory;

import dev.portmanager.config.PortManagerConfig;

import java.io.File;
import java.lang.instrument.Instrumentation;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Supplier;

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

    @SuppressWarnings("unchecked")
    public static void start(String args, Instrumentation inst, ClassLoader agentLoader) {
        long started = System.nanoTime();
        boolean failClosed = AgentSettings.failClosedRequested(args, System.getProperties(), System.getenv());
        try {
            AgentSettings settings = AgentSettings.resolve(args, System.getProperties(), System.getenv());
            ManagerAccess access = new ManagerAccess(settings, agentLoader);
            BindHandler handler = new BindHandler(settings, access, agentLoader);
            // Routes set here are checked now (a bad item is one line and only it is ignored); those of the config
            // file when the first connect reads the config.
            ConnectRoutes routes = null;
            if (settings.routes != null) {
                routes = ConnectRoutes.parse(settings.routes, settings.routesSource());
                for (String problem : routes.problems()) {
                    // the service is named here only when set; otherwise the core thread derives it later
                    AgentLog.line(settings.service == null ? problem : settings.service + ": " + problem);
                }
            }
            ConnectHandler connects = new ConnectHandler(settings, access, agentLoader, routes);
            byte[] bridge = readBridge(agentLoader);
            if (!BridgeInstaller.install(inst, bridge, handler, handler, connects)) {
                AgentLog.line("already active in this JVM; this extra -javaagent copy does nothing");
                return;
            }
            PrivateDirectory cacheDir = cacheDir(settings);
            if (cacheDir != null) {
                // The nested Redis libraries are extracted there when a Redis store first needs them.
                ((Consumer<Supplier<Path>>) agentLoader).accept(cacheDir);
            }
            // The transformer goes in before the core thread starts: opening the manager loads JDK classes, and on
            // JDK 25 reading a file loads SocketChannelImpl (Files.readString -> Channels.newInputStream). Started
            // first, the core thread could load that target after installTransformer's look at the loaded classes
            // and before the transformer was registered, leaving it unrewritten for good, with no line said: every
            // SocketChannel connect of the app then went ahead as asked (a loaded CI run hit it).
            installTransformer(inst, agentLoader, cacheDir);
            access.start();
            Thread closer = new Thread(new Closer(access, connects), "portmanager-exit");
            closer.setContextClassLoader(agentLoader);
            Runtime.getRuntime().addShutdownHook(closer);
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
    private static PrivateDirectory cacheDir(AgentSettings settings) {
        try {
            File jar = new File(AgentMain.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            Path stateDir = settings.stateDir != null ? settings.stateDir : PortManagerConfig.defaultStateDir();
            // ~/x expanded, a relative path refused (the core says so in its one line; no cache meanwhile)
            return new PrivateDirectory(dev.portmanager.host.StateDirPath.resolve(stateDir).resolve("agent-cache")
                    .resolve(jar.length() + "-" + jar.lastModified()));
        } catch (Exception | LinkageError e) {
            return null;
        }
    }

    @SuppressWarnings("unchecked")
    private static byte[] readBridge(ClassLoader agentLoader) {
        // The launcher's loader reads raw entries, behind a JDK interface (it lives on another class loader).
        byte[] bytes = ((java.util.function.Function<String, byte[]>) agentLoader).apply(BridgeInstaller.BRIDGE_ENTRY);
        if (bytes == null) {
            throw new IllegalStateException("agent jar lacks " + BridgeInstaller.BRIDGE_ENTRY);
        }
        return bytes;
    }

    /**
     * Registers the transformer; retransforms the targets that are already loaded (rare at premain; the rule for
     * a late attach, where the JDK's server classes and the app's Netty may be in use). A class that cannot be
     * retransformed is named in one line: its binds are not managed.
     *
     * <p>At premain no thread but the JVM's own runs yet (the agent starts its threads after this), so nothing can
     * load a target between the look at the loaded classes and the registration. On a late attach the app's threads
     * can: then the look is taken again once the transformer is in (a target it already rewrote while loading is
     * rewritten again from the JDK's bytes, which changes nothing).
     */
    private static void installTransformer(Instrumentation inst, ClassLoader agentLoader, PrivateDirectory cacheDir) {
        BindTransformer transformer = new BindTransformer(agentLoader, new WeaveLog(), cacheDir);
        List<Class<?>> loaded = loadedTargets(inst, agentLoader);
        boolean lateAttach = !loaded.isEmpty();
        inst.addTransformer(transformer, lateAttach);
        if (lateAttach) {
            loaded = loadedTargets(inst, agentLoader);
        }
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

    private static List<Class<?>> loadedTargets(Instrumentation inst, ClassLoader agentLoader) {
        List<Class<?>> loaded = new ArrayList<>();
        for (Class<?> c : inst.getAllLoadedClasses()) {
            ClassLoader loader = c.getClassLoader();
            if (loader != agentLoader && BindTransformer.isTarget(c.getName(), loader == null)) {
                loaded.add(c);
            }
        }
        return loaded;
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
        private final ConnectHandler connects;

        Closer(ManagerAccess access, ConnectHandler connects) {
            this.access = access;
            this.connects = connects;
        }

        @Override
        public void run() {
            connects.close(); // first: its refresher must not report the closed manager as a failure
            access.close();
        }
    }
}
