package dev.portmanager.agent.weave;

import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;

/**
 * Lets the agent choose where a client connect goes: the method's remote-address parameter (always the first) is
 * replaced, before the original body runs, by what the bridge answers:
 *
 * <pre>
 *   remote = PortManagerBridge.connect(this, remote);
 *   ...original body...
 * </pre>
 *
 * The body then connects to that address and records it as the peer, so {@code getPort()} and
 * {@code getRemoteAddress()} report where the socket really went. The parameter keeps its declared type
 * ({@code SocketAddress}), so no stack map frame changes and no method is added (valid for retransformation).
 */
final class ConnectMethodRewriter extends MethodVisitor {

    ConnectMethodRewriter(MethodVisitor next) {
        super(Opcodes.ASM9, next);
    }

    @Override
    public void visitCode() {
        super.visitCode();
        super.visitVarInsn(Opcodes.ALOAD, 0);
        super.visitVarInsn(Opcodes.ALOAD, 1);
        super.visitMethodInsn(Opcodes.INVOKESTATIC, BindTransformer.BRIDGE, "connect",
                "(Ljava/lang/Object;Ljava/net/SocketAddress;)Ljava/net/SocketAddress;", false);
        super.visitVarInsn(Opcodes.ASTORE, 1);
    }

    @Override
    public void visitMaxs(int maxStack, int maxLocals) {
        super.visitMaxs(Math.max(maxStack, 2), maxLocals);
    }
}
