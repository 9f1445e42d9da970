package dev.portmanager.agent.weave;

import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.ClassWriter;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;

import java.lang.instrument.ClassFileTransformer;
import java.security.ProtectionDomain;

/**
 * Rewrites the server-bind and close methods listed in {@link WeaveTargets}. A plain transformer with a name
 * check, not a matcher framework: every other class costs one string switch. ASM (Byte Buddy's repackaged copy)
 * loads only when the first target class shows up.
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
    public BindTransformer(ClassLoader agentLoader, WeaveListener listener, java.nio.file.Path cacheDir) {
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
        WeavePlan plan = WeaveTargets.planFor(className);
        if (plan == null) {
            return null;
        }
        try {
            long started = System.nanoTime();
            byte[] rewritten = cache == null ? null : cache.find(className, classfileBuffer);
            boolean cached = rewritten != null;
            if (!cached) {
                rewritten = rewrite(className, plan, classfileBuffer);
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

    /** True for the JDK classes that may already be loaded when the agent starts (binary name). */
    public static boolean isJdkTarget(String binaryName) {
        return WeaveTargets.isJdkTarget(binaryName);
    }

    /** True for any class this transformer rewrites, by binary name: the JDK targets and Netty's (also shaded). */
    public static boolean isTarget(String binaryName) {
        return WeaveTargets.isJdkTarget(binaryName) || binaryName.indexOf("netty.") >= 0
                && WeaveTargets.planFor(binaryName.replace('.', '/')) != null;
    }

    /** The rewritten class, or null when none of the planned methods is declared in it. */
    static byte[] rewrite(String className, WeavePlan plan, byte[] original) {
        ClassReader reader = new ClassReader(original);
        ClassWriter writer = new ClassWriter(reader, 0);
        int[] count = {0};
        int[] version = {0};
        ClassVisitor visitor = new ClassVisitor(Opcodes.ASM9, writer) {
            @Override
            public void visit(int v, int access, String name, String signature, String superName, String[] interfaces) {
                version[0] = v & 0xFFFF;
                super.visit(v, access, name, signature, superName, interfaces);
            }

            @Override
            public MethodVisitor visitMethod(int access, String name, String descriptor, String signature,
                                             String[] exceptions) {
                MethodVisitor mv = super.visitMethod(access, name, descriptor, signature, exceptions);
                boolean concrete = (access & (Opcodes.ACC_ABSTRACT | Opcodes.ACC_NATIVE | Opcodes.ACC_STATIC
                        | Opcodes.ACC_BRIDGE)) == 0;
                if (concrete && plan.isBind(name, descriptor)) {
                    count[0]++;
                    return new BindMethodRewriter(mv, className, name, descriptor, version[0] >= Opcodes.V1_6);
                }
                if (concrete && plan.isClose(name, descriptor)) {
                    count[0]++;
                    return new CloseMethodRewriter(mv);
                }
                return mv;
            }
        };
        // EXPAND_FRAMES: the bind rewrite inserts frames of its own, and a method's frames must all be in one form.
        reader.accept(visitor, ClassReader.EXPAND_FRAMES);
        return count[0] == 0 ? null : writer.toByteArray();
    }
}
