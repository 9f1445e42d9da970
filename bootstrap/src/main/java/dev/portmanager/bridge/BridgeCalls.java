package dev.portmanager.bridge;

import java.net.PortManagerBridge;
import java.nio.channels.FileChannel;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Consumer;

/**
 * Plain calls into {@code java.net.PortManagerBridge} for the agent, which loads this class with its own class
 * loader: the bridge is found through the boot loader once the agent has defined it into java.base. Compiled here
 * because only this module's build can name a java.net class; the alternative, reflection, spins method-handle
 * classes on JDK 18+ (milliseconds of start-up). Call nothing here before the bridge is defined: a failed
 * resolution of the bridge would stick for the life of this class.
 */
public final class BridgeCalls {
    private BridgeCalls() {
    }

    /** Installs the agent's handlers; false when another copy of the agent holds the bridge already. */
    public static boolean install(BiFunction<Object, Object, Object> enter, Consumer<Object> close,
                                  BiFunction<Object, Object, Object> connect) {
        return PortManagerBridge.install(enter, close) && PortManagerBridge.installConnect(connect);
    }

    /** The JVM-wide table the core copies share. */
    public static Map<String, Object> shared() {
        return PortManagerBridge.shared();
    }

    /** See {@code PortManagerBridge.uninterruptible}. */
    public static boolean uninterruptible(FileChannel channel) {
        return PortManagerBridge.uninterruptible(channel);
    }
}
