package dev.portmanager.agent;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.BitSet;
import java.util.Map;
import java.util.Set;

/**
 * Where client connects go, as of the last refresh: immutable, read through one volatile reference on every
 * connect. The unmanaged case, almost every connect, costs one bit test: {@link #ports} holds only the ports that
 * some PortManager host has a decision for (a moved service's hardcoded port, or a route's port).
 */
final class ConnectTable {
    /** Where a redirected connect goes. */
    record Target(String service, String host, int port, InetAddress address) {
        /** The address to connect to: the target's own when the registry advertises one, else the dialed one. */
        InetSocketAddress socketAddress(InetSocketAddress dialed) {
            InetAddress to = address != null ? address : dialed.getAddress();
            return to != null ? new InetSocketAddress(to, port) : InetSocketAddress.createUnresolved(dialed.getHostString(), port);
        }
    }

    /** A route as it applies on one host: its target there, or null when the service has no live instance. */
    record RouteChoice(ConnectRoutes.Route route, Target target) {
    }

    /**
     * Everything known about one port of one host.
     *
     * @param byDefault the default rule's target (exactly one service moved off the port, nothing kept it), or null
     * @param ambiguity why the default rule does not apply when it would otherwise (several services moved), or null
     * @param prefixed  routes with a caller prefix, longest prefix first
     * @param plain     the route without a prefix, or null
     */
    record PortDecision(Target byDefault, String ambiguity, RouteChoice[] prefixed, RouteChoice plain) {
    }

    /** One PortManager host: this one, or one the registry knows. */
    record HostEntry(String name, boolean thisHost, Map<Integer, PortDecision> decisions) {
    }

    static final ConnectTable EMPTY = new ConnectTable(new BitSet(), new HostEntry("", true, Map.of()), Map.of(),
            Map.of(), Set.of(), false);

    final BitSet ports;
    final HostEntry local;
    /** Other hosts by their advertised addresses (this host's own addresses map to {@link #local}). */
    final Map<InetAddress, HostEntry> byAddress;
    /** Hosts by the names they advertise or are known by (for a dialed name that is not resolved). */
    final Map<String, HostEntry> byName;
    final Set<InetAddress> localAddresses;
    /** A Redis registry is configured and has not been read yet: other hosts are not known yet. */
    final boolean registryPending;

    ConnectTable(BitSet ports, HostEntry local, Map<InetAddress, HostEntry> byAddress, Map<String, HostEntry> byName,
                 Set<InetAddress> localAddresses, boolean registryPending) {
        this.ports = ports;
        this.local = local;
        this.byAddress = byAddress;
        this.byName = byName;
        this.localAddresses = localAddresses;
        this.registryPending = registryPending;
    }

    /** Whether any host has a decision for this port (the one test every connect pays). */
    boolean concerns(int port) {
        return ports.get(port);
    }

    /** True for loopback, the wildcard (which the kernel connects to this host) and this host's addresses. */
    boolean isThisHost(InetAddress address) {
        return address != null && (address.isLoopbackAddress() || address.isAnyLocalAddress()
                || localAddresses.contains(address));
    }

    /** The PortManager host the dialed address belongs to, or null when it belongs to none. */
    HostEntry hostOf(InetSocketAddress dialed) {
        InetAddress address = dialed.getAddress();
        if (isThisHost(address)) {
            return local;
        }
        HostEntry h = address == null ? null : byAddress.get(address);
        return h != null ? h : byName.get(dialed.getHostString());
    }
}
