package dev.portmanager.agent.weave;

import net.bytebuddy.jar.asm.Label;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;
import net.bytebuddy.jar.asm.Type;

/**
 * Puts a managed-bind prologue in front of a server bind method's original body:
 *
 * <pre>
 *   Object t = PortManagerBridge.enter(this, address);
 *   if (t != null) {
 *       while (true) {
 *           try { r = this.bind(PortManagerBridge.address(t) [, backlog]); }   // invokespecial: this very method
 *           catch (Throwable e) { if (PortManagerBridge.retry(t, e)) continue; throw e; }
 *           PortManagerBridge.bound(t, this);
 *           return r;
 *       }
 *   }
 *   ...original body...
 * </pre>
 *
 * The nested call re-enters this method; the agent marks the thread while it runs so {@code enter} returns null
 * there and the original body binds. Adding no method keeps the rewrite legal for retransformation. Stack map
 * frames are written by hand (the class is read with expanded frames), so no class hierarchy is consulted.
 */
final class BindMethodRewriter extends MethodVisitor {
    private static final String OBJECT = "java/lang/Object";
    private static final String SOCKET_ADDRESS = "java/net/SocketAddress";
    private static final int EXTRA_STACK = 4;

    private final String owner;
    private final String name;
    private final String descriptor;
    private final boolean withFrames;
    private final boolean withBacklog;
    private final int ticketSlot;
    private final int failureSlot;

    BindMethodRewriter(MethodVisitor next, String owner, String name, String descriptor, boolean withFrames) {
        super(Opcodes.ASM9, next);
        this.owner = owner;
        this.name = name;
        this.descriptor = descriptor;
        this.withFrames = withFrames;
        this.withBacklog = Type.getArgumentTypes(descriptor).length == 2;
        this.ticketSlot = withBacklog ? 3 : 2;
        this.failureSlot = ticketSlot + 1;
    }

    @Override
    public void visitCode() {
        super.visitCode();
        Label loop = new Label();
        Label tryStart = new Label();
        Label tryEnd = new Label();
        Label handler = new Label();
        Label original = new Label();
        super.visitTryCatchBlock(tryStart, tryEnd, handler, "java/lang/Throwable");

        super.visitVarInsn(Opcodes.ALOAD, 0);
        super.visitVarInsn(Opcodes.ALOAD, 1);
        super.visitMethodInsn(Opcodes.INVOKESTATIC, BindTransformer.BRIDGE, "enter",
                "(Ljava/lang/Object;Ljava/net/SocketAddress;)Ljava/lang/Object;", false);
        super.visitInsn(Opcodes.DUP);
        super.visitVarInsn(Opcodes.ASTORE, ticketSlot);
        super.visitJumpInsn(Opcodes.IFNULL, original);

        super.visitLabel(loop);
        frame(true, null);
        super.visitLabel(tryStart);
        super.visitVarInsn(Opcodes.ALOAD, 0);
        super.visitVarInsn(Opcodes.ALOAD, ticketSlot);
        super.visitMethodInsn(Opcodes.INVOKESTATIC, BindTransformer.BRIDGE, "address",
                "(Ljava/lang/Object;)Ljava/net/SocketAddress;", false);
        if (withBacklog) {
            super.visitVarInsn(Opcodes.ILOAD, 2);
        }
        super.visitMethodInsn(Opcodes.INVOKESPECIAL, owner, name, descriptor, false);
        super.visitLabel(tryEnd);
        super.visitVarInsn(Opcodes.ALOAD, ticketSlot);
        super.visitVarInsn(Opcodes.ALOAD, 0);
        super.visitMethodInsn(Opcodes.INVOKESTATIC, BindTransformer.BRIDGE, "bound",
                "(Ljava/lang/Object;Ljava/lang/Object;)V", false);
        super.visitInsn(Type.getReturnType(descriptor).getOpcode(Opcodes.IRETURN));

        super.visitLabel(handler);
        frame(true, "java/lang/Throwable");
        super.visitVarInsn(Opcodes.ASTORE, failureSlot);
        super.visitVarInsn(Opcodes.ALOAD, ticketSlot);
        super.visitVarInsn(Opcodes.ALOAD, failureSlot);
        super.visitMethodInsn(Opcodes.INVOKESTATIC, BindTransformer.BRIDGE, "retry",
                "(Ljava/lang/Object;Ljava/lang/Throwable;)Z", false);
        super.visitJumpInsn(Opcodes.IFNE, loop);
        super.visitVarInsn(Opcodes.ALOAD, failureSlot);
        super.visitInsn(Opcodes.ATHROW);

        super.visitLabel(original);
        frame(false, null);
        // A frame of the original code may sit at its first instruction: keep ours at a different offset.
        super.visitInsn(Opcodes.NOP);
    }

    private void frame(boolean withTicket, String stackTop) {
        if (!withFrames) {
            return;
        }
        Object[] locals = new Object[(withBacklog ? 3 : 2) + (withTicket ? 1 : 0)];
        int i = 0;
        locals[i++] = owner;
        locals[i++] = SOCKET_ADDRESS;
        if (withBacklog) {
            locals[i++] = Opcodes.INTEGER;
        }
        if (withTicket) {
            locals[i] = OBJECT;
        }
        Object[] stack = stackTop == null ? new Object[0] : new Object[] {stackTop};
        super.visitFrame(Opcodes.F_NEW, locals.length, locals, stack.length, stack);
    }

    @Override
    public void visitMaxs(int maxStack, int maxLocals) {
        super.visitMaxs(Math.max(maxStack, EXTRA_STACK), Math.max(maxLocals, failureSlot + 1));
    }
}
