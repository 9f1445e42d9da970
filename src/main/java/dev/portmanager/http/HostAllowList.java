package dev.portmanager.http;

import dev.portmanager.host.HostIdentity;

import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.util.Collection;
import java.util.Collections;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The names a request's Host header may carry. A web page can make a browser reach the loopback sidecar under a
 * name of its own (DNS rebinding: its name first resolves to its server, then to 127.0.0.1); the browser then
 * sends that name as Host, so accepting only this sidecar's own names closes the door.
 *
 * <p>Accepted: {@code localhost} and every loopback IP literal; the bind address as given and as an IP literal;
 * for a wildcard bind (0.0.0.0, ::) the kernel's host name and the IP literal of every local interface; and the
 * names configured with {@code --allow-host}.
 */
final class HostAllowList {
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final Pattern IPV6 = Pattern.compile("[0-9a-fA-F:.]+(%[0-9A-Za-z_.-]+)?");

    private final Set<String> names;

    private HostAllowList(Set<String> names) {
        this.names = Collections.unmodifiableSet(names);
    }

    static HostAllowList forBind(String bind, InetAddress address, Collection<String> extra) {
        Set<String> names = new TreeSet<>();
        names.add("localhost");
        names.add(normalize(bind));
        names.add(normalize(address.getHostAddress()));
        if (address.isAnyLocalAddress()) {
            names.add(normalize(HostIdentity.hostName(null)));
            try {
                for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                    for (InetAddress a : Collections.list(nic.getInetAddresses())) {
                        names.add(normalize(a.getHostAddress()));
                    }
                }
            } catch (SocketException e) {
                // no interface list: the host name and explicit --allow-host names still work
            }
        }
        for (String e : extra) {
            names.add(normalize(e));
        }
        return new HostAllowList(names);
    }

    /** The configured names, for error messages. */
    Set<String> names() {
        return names;
    }

    /** Whether {@code hostHeader} (name or IP literal, with an optional port) names this sidecar. */
    boolean accepts(String hostHeader) {
        if (hostHeader == null) {
            return false;
        }
        String host = hostPart(hostHeader.trim());
        if (host == null || host.isEmpty()) {
            return false;
        }
        if (names.contains(host)) {
            return true;
        }
        return isLoopbackLiteral(host);
    }

    /** The name without port and brackets, lower-case, without a trailing dot; null when malformed. */
    static String hostPart(String authority) {
        String host;
        if (authority.startsWith("[")) {
            int end = authority.indexOf(']');
            if (end < 0) {
                return null;
            }
            host = authority.substring(1, end);
        } else {
            int colon = authority.indexOf(':');
            host = colon < 0 ? authority : authority.substring(0, colon);
        }
        return normalize(host);
    }

    private static String normalize(String name) {
        String n = name.trim().toLowerCase(Locale.ROOT);
        if (n.startsWith("[") && n.endsWith("]")) {
            n = n.substring(1, n.length() - 1);
        }
        int scope = n.indexOf('%');
        if (scope >= 0 && n.indexOf(':') >= 0) {
            n = n.substring(0, scope);
        }
        while (n.endsWith(".")) {
            n = n.substring(0, n.length() - 1);
        }
        return n;
    }

    /** Only literals are parsed (never a name: that would be a DNS lookup on every request). */
    private static boolean isLoopbackLiteral(String host) {
        boolean literal = IPV4.matcher(host).matches() || (host.indexOf(':') >= 0 && IPV6.matcher(host).matches());
        if (!literal) {
            return false;
        }
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
