package dev.portmanager.agent;

import dev.portmanager.Allocation;
import dev.portmanager.AllocationState;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Builds a {@link ConnectTable} from what the hosts hold: this host's live allocations (state directory), every
 * other host's (registry), this host's addresses and the routes.
 *
 * <p>The default rule, per host and port P: when exactly one service with a live (listening) instance asked for P
 * and was moved to Q, and no live allocation on that host holds P, connects to P go to Q. Several services moved off
 * P is ambiguous: the connect goes ahead as asked. A route {@code P=S} sends connects to P on a host to S's instance
 * on that host (for this host, another host's instance when this one has none); {@code P@PREFIX=S} does so only for
 * callers whose class name starts with PREFIX.
 */
final class ConnectTableBuilder {
    /** Turns an advertised name into addresses; null: only IP literals are used (no DNS on an app's thread). */
    interface Resolver {
        InetAddress[] resolve(String name) throws UnknownHostException;
    }

    /** The JDK's resolver (DNS, /etc/hosts); used on the refresher's own thread only. */
    static final Resolver SYSTEM = new Resolver() {
        @Override
        public InetAddress[] resolve(String name) throws UnknownHostException {
            return InetAddress.getAllByName(name);
        }
    };

    /** A named class rather than a lambda: this may run on an app's first connect, where a lambda costs ms. */
    private static final Comparator<ConnectTable.RouteChoice> LONGEST_PREFIX_FIRST =
            new Comparator<ConnectTable.RouteChoice>() {
                @Override
                public int compare(ConnectTable.RouteChoice a, ConnectTable.RouteChoice b) {
                    return Integer.compare(b.route().prefix().length(), a.route().prefix().length());
                }
            };

    private ConnectTableBuilder() {
    }

    private static <K, V> List<V> listIn(Map<K, List<V>> map, K key) {
        List<V> list = map.get(key);
        if (list == null) {
            list = new ArrayList<>();
            map.put(key, list);
        }
        return list;
    }

    static ConnectTable build(String thisHost, List<Allocation> local, List<Allocation> registry,
                              Set<InetAddress> localAddresses, List<ConnectRoutes.Route> routes, Resolver resolver,
                              boolean registryPending) {
        Map<String, List<Allocation>> remoteByHost = new TreeMap<>();
        for (Allocation a : registry) {
            if (!a.host().equals(thisHost)) {
                listIn(remoteByHost, a.host()).add(a);
            }
        }
        BitSet ports = new BitSet(65536);
        Map<Integer, ConnectTable.PortDecision> localDecisions =
                decisions(thisHost, true, local, routes, ports, remoteByHost, resolver);
        ConnectTable.HostEntry localEntry = new ConnectTable.HostEntry(thisHost, true, localDecisions);

        Map<InetAddress, ConnectTable.HostEntry> byAddress = new HashMap<>();
        Map<String, ConnectTable.HostEntry> byName = new HashMap<>();
        byName.put(thisHost, localEntry);
        for (Map.Entry<String, List<Allocation>> e : remoteByHost.entrySet()) {
            Map<Integer, ConnectTable.PortDecision> d =
                    decisions(e.getKey(), false, e.getValue(), routes, ports, remoteByHost, resolver);
            ConnectTable.HostEntry entry = new ConnectTable.HostEntry(e.getKey(), false, d);
            byName.putIfAbsent(e.getKey(), entry);
            for (Allocation a : e.getValue()) {
                String advertised = a.advertised();
                if (advertised == null || advertised.isBlank()) {
                    continue;
                }
                byName.putIfAbsent(advertised, entry);
                for (InetAddress address : addresses(advertised, resolver)) {
                    if (!localAddresses.contains(address) && !address.isLoopbackAddress()) {
                        byAddress.putIfAbsent(address, entry);
                    }
                }
            }
        }
        return new ConnectTable(ports, localEntry, Map.copyOf(byAddress), Map.copyOf(byName),
                Set.copyOf(localAddresses), registryPending);
    }

    /** One host's decisions, marking their ports in {@code ports}. */
    private static Map<Integer, ConnectTable.PortDecision> decisions(String host, boolean thisHost,
            List<Allocation> live, List<ConnectRoutes.Route> routes, BitSet ports,
            Map<String, List<Allocation>> remoteByHost, Resolver resolver) {
        Set<Integer> held = new HashSet<>();
        Map<Integer, Map<String, List<Allocation>>> movedOff = new TreeMap<>();
        Map<String, List<Allocation>> listeningByService = new HashMap<>();
        for (Allocation a : live) {
            if (a.state() == AllocationState.RELEASED) {
                continue;
            }
            held.add(a.port());
            if (a.state() != AllocationState.LISTENING) {
                continue;
            }
            listIn(listeningByService, a.service()).add(a);
            if (a.moved()) {
                Map<String, List<Allocation>> services = movedOff.get(a.requestedPort());
                if (services == null) {
                    services = new LinkedHashMap<>();
                    movedOff.put(a.requestedPort(), services);
                }
                listIn(services, a.service()).add(a);
            }
        }
        Map<Integer, ConnectTable.Target> defaults = new HashMap<>();
        Map<Integer, String> ambiguities = new HashMap<>();
        for (Map.Entry<Integer, Map<String, List<Allocation>>> e : movedOff.entrySet()) {
            int port = e.getKey();
            if (held.contains(port)) {
                continue; // the port is managed on this host (kept, or granted to someone): connects stay
            }
            Map<String, List<Allocation>> services = e.getValue();
            if (services.size() == 1) {
                Allocation chosen = pick(services.values().iterator().next(), port);
                defaults.put(port, target(chosen, thisHost, resolver));
            } else {
                ambiguities.put(port, String.join(" and ", new TreeSet<>(services.keySet())) + " all moved from "
                        + port + " on " + (thisHost ? "this host" : host));
            }
        }
        Map<Integer, List<ConnectTable.RouteChoice>> prefixed = new HashMap<>();
        Map<Integer, ConnectTable.RouteChoice> plain = new HashMap<>();
        for (ConnectRoutes.Route r : routes) {
            ConnectTable.Target t = null;
            List<Allocation> instances = listeningByService.get(r.service());
            if (instances != null) {
                t = target(pick(instances, r.port()), thisHost, resolver);
            } else if (thisHost) {
                // loopback: this host's instance comes first, else one on another host, at its own address
                for (List<Allocation> elsewhere : remoteByHost.values()) {
                    List<Allocation> ofService = new ArrayList<>();
                    for (Allocation a : elsewhere) {
                        if (a.state() == AllocationState.LISTENING && a.service().equals(r.service())) {
                            ofService.add(a);
                        }
                    }
                    if (!ofService.isEmpty()) {
                        t = target(pick(ofService, r.port()), false, resolver);
                        if (t.address() != null) {
                            break;
                        }
                        t = null; // an instance nobody here can resolve the address of is no target
                    }
                }
            }
            ConnectTable.RouteChoice choice = new ConnectTable.RouteChoice(r, t);
            if (r.prefix() == null) {
                plain.putIfAbsent(r.port(), choice);
            } else {
                listIn(prefixed, r.port()).add(choice);
            }
        }
        Set<Integer> all = new TreeSet<>(defaults.keySet());
        all.addAll(ambiguities.keySet());
        all.addAll(prefixed.keySet());
        all.addAll(plain.keySet());
        Map<Integer, ConnectTable.PortDecision> result = new HashMap<>();
        for (int port : all) {
            List<ConnectTable.RouteChoice> sorted = new ArrayList<>(prefixed.getOrDefault(port, List.of()));
            sorted.sort(LONGEST_PREFIX_FIRST);
            result.put(port, new ConnectTable.PortDecision(defaults.get(port), ambiguities.get(port),
                    sorted.toArray(new ConnectTable.RouteChoice[0]), plain.get(port)));
            ports.set(port);
        }
        return Map.copyOf(result);
    }

    /** The instance a connect to {@code port} goes to: the one that asked for that port, else the lowest port. */
    private static Allocation pick(List<Allocation> instances, int port) {
        Allocation best = null;
        for (Allocation a : instances) {
            boolean asked = a.requestedPort() == port;
            boolean bestAsked = best != null && best.requestedPort() == port;
            if (best == null || (asked && !bestAsked) || (asked == bestAsked && a.port() < best.port())) {
                best = a;
            }
        }
        return best;
    }

    /**
     * On this host the dialed address is kept (loopback stays loopback); on another host the connect goes to the
     * address the registry advertises when it can be resolved, else to the dialed one.
     */
    private static ConnectTable.Target target(Allocation a, boolean thisHost, Resolver resolver) {
        InetAddress address = null;
        if (!thisHost && a.advertised() != null) {
            InetAddress[] found = addresses(a.advertised(), resolver);
            address = found.length == 0 ? null : found[0];
        }
        return new ConnectTable.Target(a.service(), a.host(), a.port(), address);
    }

    /** An IP literal as is; a name through the resolver (none without one); nothing for wildcards or failures. */
    static InetAddress[] addresses(String advertised, Resolver resolver) {
        try {
            InetAddress[] found;
            if (isIpLiteral(advertised)) {
                found = new InetAddress[] {InetAddress.getByName(advertised)};
            } else if (resolver != null) {
                found = resolver.resolve(advertised);
            } else {
                return new InetAddress[0];
            }
            List<InetAddress> usable = new ArrayList<>();
            for (InetAddress a : found) {
                if (!a.isAnyLocalAddress()) {
                    usable.add(a);
                }
            }
            return usable.toArray(new InetAddress[0]);
        } catch (UnknownHostException | RuntimeException e) {
            return new InetAddress[0];
        }
    }

    /** Dotted IPv4 or an IPv6 literal (InetAddress.getByName then does no lookup). */
    static boolean isIpLiteral(String s) {
        if (s.indexOf(':') >= 0) {
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                if (Character.digit(c, 16) < 0 && c != ':' && c != '.' && c != '[' && c != ']' && c != '%') {
                    return false;
                }
            }
            return true;
        }
        int dots = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '.') {
                dots++;
            } else if (c < '0' || c > '9') {
                return false;
            }
        }
        return dots == 3;
    }
}
