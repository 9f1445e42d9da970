package dev.portmanager.agent.weave;

import java.lang.instrument.ClassFileTransformer;
import java.security.ProtectionDomain;

/**
 * Rewrites the server-bind, close and client-connect methods listed in {@link WeaveTargets}. A plain transformer with a name
 * check, not a matcher framework: every other class costs one string switch. ASM (Byte Buddy's repackaged copy,
 * used by {@link ClassRewriter} only) loads only when a target class shows up that the rewrite cache lacks.
 *
 * <p>The rewrite adds no methods or fields, so it is also valid for retransforming classes that were already
 * loaded when the agent started.
 */
public final class BindTransformer implements ClassFileTransformer {
    /** The bridge, as rewritten code refers to it. */
    static final String BRIDGE = "java/net/PortManagerBridge";

    private final ClassLoader agentLoader;
    private final WeaveListener listener;
    private final RewriteCache cache;

    /** Hears about every rewrite (for diagnostics and tests); never null. */
    public interface WeaveListener {
        void woven(String className, boolean fromCache, long nanos);

        void failed(String className, Throwable failure);
    }

    /**
     * @param cacheDir where rewritten bytes are kept between runs (see {@link RewriteCache}), or null for none
     */
    public BindTransformer(ClassLoader agentLoader, WeaveListener listener, PrivateDirectory cacheDir) {
        this.agentLoader = agentLoader;
        this.listener = listener;
        this.cache = cacheDir == null ? null : new RewriteCache(cacheDir);
    }

    @Override
    public byte[] transform(Module module, ClassLoader loader, String className, Class<?> classBeingRedefined,
                            ProtectionDomain protectionDomain, byte[] classfileBuffer) {
        if (loader == agentLoader && loader != null) {
            return null; // the agent's own Netty (inside Lettuce) is never ours to move
        }
        WeavePlan plan = WeaveTargets.planFor(className, loader == null);
        if (plan == null) {
            return null;
        }
        try {
            long started = System.nanoTime();
            byte[] rewritten = cache == null ? null : cache.find(className, classfileBuffer);
            boolean cached = rewritten != null;
            if (!cached) {
                rewritten = ClassRewriter.rewrite(className, plan, classfileBuffer);
                if (rewritten != null && cache != null) {
                    cache.store(className, classfileBuffer, rewritten);
                }
            }
            if (rewritten != null) {
                listener.woven(className, cached, System.nanoTime() - started);
            }
            return rewritten;
        } catch (Throwable failure) {
            listener.failed(className, failure);
            return null;
        }
    }

    /** True for any class this transformer rewrites, by binary name and whether the boot loader loaded it. */
    public static boolean isTarget(String binaryName, boolean bootLoaded) {
        return WeaveTargets.isTarget(binaryName, bootLoaded);
    }
}
