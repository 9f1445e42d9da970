package dev.portmanager.host;

import java.nio.channels.FileChannel;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The agent's direct line to its java.base bridge for this copy of the core: the JVM-wide table of claims-file
 * slots and the switch that makes a file channel ignore interrupts (see {@link SharedClaimsFile}). Without it the
 * core finds the bridge by reflection, which is what copies of the core in an application's own class loader do;
 * the agent provides it to skip that on an app's first bind (a reflective call spins method-handle classes on
 * JDK 18+).
 */
public final class JvmWideTable {
    private static volatile Map<String, Object> table;
    private static volatile Predicate<FileChannel> uninterruptible;

    private JvmWideTable() {
    }

    /** Called once by the agent, after it defined the bridge. */
    public static void provide(Map<String, Object> bridgeTable, Predicate<FileChannel> makeUninterruptible) {
        uninterruptible = makeUninterruptible;
        table = bridgeTable;
    }

    static Map<String, Object> table() {
        return table;
    }

    static Predicate<FileChannel> uninterruptible() {
        return uninterruptible;
    }
}
