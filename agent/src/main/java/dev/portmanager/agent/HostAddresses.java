package dev.portmanager.agent;

import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.Enumeration;
import java.util.HashSet;
import java.util.Set;

/** This host's own addresses (every interface's), which connects treat like loopback: "this host". */
final class HostAddresses {
    private HostAddresses() {
    }

    /** Read from the kernel now (about a millisecond); empty when the interfaces cannot be listed. */
    static Set<InetAddress> current() {
        Set<InetAddress> found = new HashSet<>();
        try {
            Enumeration<NetworkInterface> interfaces = NetworkInterface.getNetworkInterfaces();
            while (interfaces != null && interfaces.hasMoreElements()) {
                Enumeration<InetAddress> addresses = interfaces.nextElement().getInetAddresses();
                while (addresses.hasMoreElements()) {
                    found.add(addresses.nextElement());
                }
            }
        } catch (SocketException | RuntimeException e) {
            // loopback is recognised without this list
        }
        return found;
    }
}
