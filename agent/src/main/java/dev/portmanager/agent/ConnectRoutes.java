package dev.portmanager.agent;

import dev.portmanager.AllocationRequest;

import java.util.ArrayList;
import java.util.List;

/**
 * The {@code routes} setting: items {@code PORT=SERVICE} or {@code PORT@PREFIX=SERVICE} separated by ';'. Each item
 * is checked on its own: a bad one becomes one line in {@link #problems()} and is left out, the others apply.
 */
final class ConnectRoutes {
    static final String ACCEPTED = "PORT=SERVICE or PORT@PREFIX=SERVICE items separated by ';' "
            + "(8085=voice;8085@com.acme.gateway.voice=voice)";

    /**
     * One route: connects to {@code port} on a PortManager host go to {@code service}'s instance there; with a
     * prefix, only those made by code whose class name starts with it.
     */
    record Route(int port, String prefix, String service, String text) {
    }

    private final List<Route> routes;
    private final List<String> problems;

    private ConnectRoutes(List<Route> routes, List<String> problems) {
        this.routes = routes;
        this.problems = problems;
    }

    static final ConnectRoutes NONE = new ConnectRoutes(List.of(), List.of());

    /** Parses {@code text} (null or blank: no routes); {@code source} names where it came from, for messages. */
    static ConnectRoutes parse(String text, String source) {
        if (text == null || text.isBlank()) {
            return NONE;
        }
        List<Route> routes = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        for (String raw : text.split(";")) {
            String item = raw.trim();
            if (item.isEmpty()) {
                continue;
            }
            Route route = item(item);
            if (route == null) {
                problems.add("route '" + item + "' from " + source + " ignored: expected " + ACCEPTED
                        + ", PORT 1-65535, PREFIX a class name prefix, SERVICE a service name");
            } else {
                routes.add(route);
            }
        }
        return new ConnectRoutes(List.copyOf(routes), List.copyOf(problems));
    }

    /** One item, or null when it is malformed. */
    private static Route item(String item) {
        int eq = item.indexOf('=');
        if (eq <= 0 || eq != item.lastIndexOf('=')) {
            return null;
        }
        String left = item.substring(0, eq).trim();
        String service = item.substring(eq + 1).trim();
        if (!AllocationRequest.isName(service)) {
            return null;
        }
        int at = left.indexOf('@');
        String portText = at < 0 ? left : left.substring(0, at).trim();
        String prefix = at < 0 ? null : left.substring(at + 1).trim();
        if (prefix != null && !isClassNamePrefix(prefix)) {
            return null;
        }
        int port;
        try {
            port = Integer.parseInt(portText);
        } catch (NumberFormatException e) {
            return null;
        }
        if (port < 1 || port > 65535) {
            return null;
        }
        return new Route(port, prefix, service, item);
    }

    /** Letters, digits, '_', '$' and '.', not starting with '.': the start of a binary class name. */
    private static boolean isClassNamePrefix(String prefix) {
        if (prefix.isEmpty() || prefix.charAt(0) == '.') {
            return false;
        }
        for (int i = 0; i < prefix.length(); i++) {
            char c = prefix.charAt(i);
            if (!Character.isJavaIdentifierPart(c) && c != '.') {
                return false;
            }
        }
        return true;
    }

    List<Route> routes() {
        return routes;
    }

    /** One line per ignored item. */
    List<String> problems() {
        return problems;
    }

    boolean isEmpty() {
        return routes.isEmpty();
    }
}
