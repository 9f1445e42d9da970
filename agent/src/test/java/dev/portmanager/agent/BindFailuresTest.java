package dev.portmanager.agent;

import io.netty.channel.unix.Errors;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.channels.ServerSocketChannel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Only "address already in use" moves a bind. The JDK's failures here are real ones from this JVM (no agent in
 * it). EACCES cannot be produced in-process when the tests run as root, so its JDK form is built with the C
 * library's text; the RobustnessIT produces a real one in a child JVM run as nobody.
 */
class BindFailuresTest {
    @Test
    void aRealCollisionIsAddressInUse() throws IOException {
        try (ServerSocketChannel first = ServerSocketChannel.open(); ServerSocketChannel second = ServerSocketChannel.open()) {
            first.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            BindException inUse = assertThrows(BindException.class, () -> second.bind(first.getLocalAddress()));
            assertTrue(BindFailures.isAddressInUse(inUse), inUse.toString());
        }
    }

    @Test
    void anAddressThisHostLacksIsNot() throws IOException {
        try (ServerSocketChannel channel = ServerSocketChannel.open()) {
            BindException notAvailable = assertThrows(BindException.class,
                    () -> channel.bind(new InetSocketAddress(InetAddress.getByName("192.0.2.1"), 0)));
            assertFalse(BindFailures.isAddressInUse(notAvailable), notAvailable.toString());
        }
    }

    @Test
    void permissionDeniedAndOtherSocketErrorsAreNot() {
        assertFalse(BindFailures.isAddressInUse(new BindException("Permission denied")));
        assertFalse(BindFailures.isAddressInUse(new SocketException("Already bound")));
        assertFalse(BindFailures.isAddressInUse(new IOException(BindFailures.jdkInUseText())), "only a BindException");
    }

    @Test
    void theJdkTextIsLearntFromThisJvm() {
        assertEquals("Address already in use", BindFailures.jdkInUseText(), "this host's C locale text");
    }

    @Test
    void nettyNativeErrorsAreJudgedByErrnoNotText() {
        // Netty's Errors class needs its native library (the epoll one carries it).
        Assumptions.assumeTrue(io.netty.channel.epoll.Epoll.isAvailable(), "no native epoll here");
        assertTrue(BindFailures.isAddressInUse(new Errors.NativeIoException("bind", -98)));
        assertFalse(BindFailures.isAddressInUse(new Errors.NativeIoException("bind", -99)), "EADDRNOTAVAIL");
        assertFalse(BindFailures.isAddressInUse(new Errors.NativeIoException("bind", -13)), "EACCES");
        assertEquals(98, BindFailures.nativeErrno(new Errors.NativeIoException("bind", -98)));
        assertNull(BindFailures.nativeErrno(new BindException("Address already in use")));
        assertNotNull(BindFailures.nativeErrno(new Errors.NativeIoException("listen", -22)));
    }

    @Test
    void addressInUseIsNumberedPerArchitecture() {
        assertEquals(98, BindFailures.addressInUseErrno("amd64"));
        assertEquals(98, BindFailures.addressInUseErrno("aarch64"));
        assertEquals(125, BindFailures.addressInUseErrno("mips64el"));
        assertEquals(48, BindFailures.addressInUseErrno("sparcv9"));
    }
}
