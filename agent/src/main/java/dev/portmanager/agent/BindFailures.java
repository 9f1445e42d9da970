package dev.portmanager.agent;

import java.lang.reflect.Method;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;

/**
 * Tells "address already in use" (EADDRINUSE: another socket holds the port, so another port may work) from the
 * other bind failures (EACCES: a port below 1024 without the capability; EADDRNOTAVAIL: an address this host
 * lacks), which no other port cures and which the application must get as they are.
 *
 * <p>The JDK reports all three as a {@link BindException} whose only clue is the message: the C library's text
 * for the errno, in the process's locale. So the JDK's own text for EADDRINUSE is learnt once, from a real
 * collision on loopback in this JVM, instead of matching an English phrase. Netty's native transports carry the
 * errno itself ({@code Errors.NativeIoException#expectedErr()}, negative), read reflectively because the app's
 * Netty, possibly shaded, is not the agent's.
 */
final class BindFailures {
    /** EADDRINUSE on Linux (x86, ARM, RISC-V, PowerPC, s390); the architectures that number it otherwise. */
    static final int EADDRINUSE = addressInUseErrno(System.getProperty("os.arch", ""));

    /** Used when the JDK's text cannot be learnt (no loopback): glibc's English text. */
    static final String ENGLISH_IN_USE = "Address already in use";

    private static volatile String jdkInUseText;

    private BindFailures() {
    }

    static int addressInUseErrno(String arch) {
        if (arch.startsWith("mips")) {
            return 125;
        }
        if (arch.startsWith("alpha") || arch.startsWith("sparc")) {
            return 48;
        }
        if (arch.startsWith("parisc") || arch.startsWith("hppa")) {
            return 226;
        }
        return 98;
    }

    /** True only for "address already in use", the one failure another port can cure. */
    static boolean isAddressInUse(Throwable failure) {
        Integer errno = nativeErrno(failure);
        if (errno != null) {
            return errno == EADDRINUSE;
        }
        if (!(failure instanceof BindException)) {
            return false;
        }
        String message = failure.getMessage();
        // startsWith: the JDK's older socket implementation appends " (Bind failed)".
        return message != null && message.startsWith(jdkInUseText());
    }

    /** The positive errno of a Netty native exception, or null for any other throwable. */
    static Integer nativeErrno(Throwable failure) {
        Class<?> type = failure.getClass();
        if (!type.getName().contains("netty")) {
            return null;
        }
        try {
            Method expected = type.getMethod("expectedErr");
            return Math.abs((Integer) expected.invoke(failure));
        } catch (ReflectiveOperationException | RuntimeException | LinkageError notNative) {
            return null;
        }
    }

    /** This JVM's message for EADDRINUSE, learnt on first need. */
    static String jdkInUseText() {
        String text = jdkInUseText;
        if (text == null) {
            text = learnInUseText();
            jdkInUseText = text;
        }
        return text;
    }

    /**
     * Binds a loopback port twice and keeps the second bind's message. The caller's thread runs this with the
     * agent's loader as context, so the agent leaves these two binds alone.
     */
    private static String learnInUseText() {
        try (ServerSocketChannel first = ServerSocketChannel.open();
             ServerSocketChannel second = ServerSocketChannel.open()) {
            first.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            try {
                second.bind(first.getLocalAddress());
            } catch (BindException collision) {
                String message = collision.getMessage();
                if (message != null && !message.isEmpty()) {
                    return message;
                }
            }
        } catch (Exception | LinkageError noLoopback) {
            // fall back below
        }
        return ENGLISH_IN_USE;
    }
}
