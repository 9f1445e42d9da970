package dev.portmanager.http;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Who may talk to the sidecar, checked before any route runs. The rules keep web pages out: a browser cannot
 * send {@code Content-Type: application/json} across origins without a CORS preflight (which this sidecar answers
 * only for configured origins), always sends the page's {@code Origin} on such requests, and sends the name it
 * resolved as {@code Host}. Off loopback, the bearer token guards every request, reads included.
 */
final class RequestGuard {
    private final HostAllowList hosts;
    /** Origins allowed to call from a browser (CORS), exactly as the browser sends them; empty: none. */
    private final Set<String> corsOrigins;
    private final byte[] token;
    /** Off loopback, reads reveal pids, commands and hosts: the token guards them too. */
    private final boolean tokenForReads;
    private final String scheme;

    RequestGuard(HostAllowList hosts, List<String> corsOrigins, String token, boolean tokenForReads, boolean tls) {
        this.hosts = hosts;
        this.corsOrigins = Set.copyOf(corsOrigins.stream().map(RequestGuard::trimSlash).toList());
        this.token = token == null ? null : token.getBytes(StandardCharsets.UTF_8);
        this.tokenForReads = tokenForReads;
        this.scheme = tls ? "https" : "http";
    }

    /** Host and Origin: refused before routing, whatever the path and method. */
    void admit(HttpExchange exchange) {
        Headers h = exchange.getRequestHeaders();
        String host = h.getFirst("Host");
        if (!hosts.accepts(host)) {
            throw new ApiException(421, "misdirected_request", (host == null ? "the request has no Host header"
                    : "Host '" + Validation.printable(host) + "' is not a name of this sidecar")
                    + ": expected one of " + hosts.names() + " or a loopback address; start serve with "
                    + "--allow-host NAME to accept another name");
        }
        String origin = h.getFirst("Origin");
        if (origin != null && !corsOrigins.contains(trimSlash(origin)) && !sameOrigin(origin, host)) {
            throw new ApiException(403, "forbidden_origin", "requests from web pages at '"
                    + Validation.printable(origin) + "' are refused: start serve with --allow-origin ORIGIN to "
                    + "let a page at ORIGIN call this sidecar");
        }
        // Requests without Origin (a no-cors GET such as <script src>) still say where they come from.
        String site = h.getFirst("Sec-Fetch-Site");
        if (origin == null && site != null && (site.equals("cross-site") || site.equals("same-site"))) {
            throw new ApiException(403, "forbidden_origin", "cross-site requests from web pages are refused");
        }
    }

    /** CORS response headers for a configured origin; nothing for any other request. */
    void corsHeaders(HttpExchange exchange) {
        String origin = exchange.getRequestHeaders().getFirst("Origin");
        if (origin != null && corsOrigins.contains(trimSlash(origin))) {
            Headers out = exchange.getResponseHeaders();
            out.set("Access-Control-Allow-Origin", origin);
            out.add("Vary", "Origin");
        }
    }

    /** Whether this is a CORS preflight from a configured origin (answered 204 with what it may send). */
    boolean isAllowedPreflight(HttpExchange exchange) {
        Headers h = exchange.getRequestHeaders();
        String origin = h.getFirst("Origin");
        return exchange.getRequestMethod().equalsIgnoreCase("OPTIONS") && origin != null
                && corsOrigins.contains(trimSlash(origin)) && h.getFirst("Access-Control-Request-Method") != null;
    }

    void preflightHeaders(HttpExchange exchange) {
        Headers out = exchange.getResponseHeaders();
        out.set("Access-Control-Allow-Methods", "GET, POST, DELETE");
        out.set("Access-Control-Allow-Headers", "Authorization, Content-Type");
        out.set("Access-Control-Max-Age", "600");
    }

    /** The bearer token: on every request off loopback, on every state change on loopback. */
    void authorize(HttpExchange exchange, String method) {
        if (token == null || (method.equals("GET") && !tokenForReads)) {
            return;
        }
        String header = exchange.getRequestHeaders().getFirst("Authorization");
        byte[] given = header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)
                ? header.substring(7).trim().getBytes(StandardCharsets.UTF_8) : new byte[0];
        if (!MessageDigest.isEqual(given, token)) {
            exchange.getResponseHeaders().set("WWW-Authenticate", "Bearer");
            throw new ApiException(401, "unauthorized", tokenForReads
                    ? "this sidecar listens beyond loopback and requires 'Authorization: Bearer <token>' on every "
                    + "request"
                    : "this sidecar requires 'Authorization: Bearer <token>' on every request that changes state");
        }
    }

    /**
     * {@code Content-Type: application/json} on every POST and DELETE and on any request with a body: the types a
     * web page may send without a preflight (form posts, text/plain, a Blob without a type) never get through.
     */
    static void requireJson(HttpExchange exchange, String method) {
        Headers h = exchange.getRequestHeaders();
        boolean hasBody = h.getFirst("Transfer-Encoding") != null
                || (h.getFirst("Content-Length") != null && !h.getFirst("Content-Length").trim().equals("0"));
        if (!hasBody && !method.equals("POST") && !method.equals("DELETE")) {
            return;
        }
        String ct = h.getFirst("Content-Type");
        String mime = ct == null ? "" : ct.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
        if (!mime.equals("application/json")) {
            throw new ApiException(415, "unsupported_media_type", (ct == null ? "the request has no Content-Type"
                    : "Content-Type '" + Validation.printable(ct) + "' is not accepted")
                    + ": every POST and DELETE, and every request with a body, must send "
                    + "'Content-Type: application/json'");
        }
    }

    private boolean sameOrigin(String origin, String host) {
        return host != null && origin.equalsIgnoreCase(scheme + "://" + host.trim());
    }

    private static String trimSlash(String origin) {
        String o = origin.trim();
        return o.endsWith("/") ? o.substring(0, o.length() - 1) : o;
    }
}
