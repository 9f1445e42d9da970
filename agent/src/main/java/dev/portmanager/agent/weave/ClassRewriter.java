package dev.portmanager.agent.weave;

import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.ClassWriter;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;

/**
 * The ASM rewrite of one target class. A class of its own so that {@link BindTransformer}, which is loaded and
 * verified in premain, refers to no ASM type: a warm start (every target found in the rewrite cache) loads no ASM.
 */
final class ClassRewriter {
    private ClassRewriter() {
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
                if (concrete && plan.isConnect(name, descriptor)) {
                    count[0]++;
                    return new ConnectMethodRewriter(mv);
                }
                return mv;
            }
        };
        // EXPAND_FRAMES: the bind rewrite inserts frames of its own, and a method's frames must all be in one form.
        reader.accept(visitor, ClassReader.EXPAND_FRAMES);
        return count[0] == 0 ? null : writer.toByteArray();
    }
}
