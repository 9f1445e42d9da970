package dev.portmanager.agent;

import dev.portmanager.bridge.BridgeCalls;
import dev.portmanager.host.JvmWideTable;

import java.lang.instrument.Instrumentation;
import java.lang.invoke.MethodHandles;
import java.net.URL;
import java.nio.channels.FileChannel;
import java.util.Map;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * Puts {@code java.net.PortManagerBridge} into java.base and hands it the agent's handlers.
 *
 * <p>Why not a jar on the bootstrap class path: appending one makes the JVM turn class-data sharing off for the
 * application's classes. Instead java.net is opened to the agent (the JVM allows an agent that), and the bridge
 * is defined through a private lookup in a java.net class, so it lands in package java.net of java.base, where
 * rewritten classes of java.base and of any class loader (Netty) can call it.
 */
final class BridgeInstaller {
    static final String BRIDGE = "java.net.PortManagerBridge";
    static final String BRIDGE_ENTRY = "java/net/PortManagerBridge.classdata";

    private BridgeInstaller() {
    }

    /** False when another copy of the agent already holds the bridge. */
    static boolean install(Instrumentation inst, byte[] bridgeBytes, BiFunction<Object, Object, Object> enter,
                        Consumer<Object> close, BiFunction<Object, Object, Object> connect)
            throws ReflectiveOperationException {
        try {
            Class.forName(BRIDGE, false, null);
        } catch (ClassNotFoundException notYetDefined) {
            Module base = Object.class.getModule();
            inst.redefineModule(base, Set.of(), Map.of(), Map.of("java.net", Set.of(BridgeInstaller.class.getModule())),
                    Set.of(), Map.of());
            // Any java.net class will do as the lookup's anchor; URL is loaded long before premain. Not ServerSocket:
            // loading a target here would force a retransformation (ASM in premain) for nothing.
            MethodHandles.privateLookupIn(URL.class, MethodHandles.lookup()).defineClass(bridgeBytes);
        }
        if (!BridgeCalls.install(enter, close, connect)) {
            return false;
        }
        JvmWideTable.provide(BridgeCalls.shared(), new Uninterruptible());
        return true;
    }

    /** The bridge's switch as a JDK interface for the core (a class: a method reference would be a lambda). */
    private static final class Uninterruptible implements Predicate<FileChannel> {
        @Override
        public boolean test(FileChannel channel) {
            return BridgeCalls.uninterruptible(channel);
        }
    }
}
