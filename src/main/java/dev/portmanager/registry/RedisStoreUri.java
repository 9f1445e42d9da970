package dev.portmanager.registry;

import dev.portmanager.config.ConfigException;
import dev.portmanager.config.Durations;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A checked Redis store URI: {@code redis://} (one server, or any one node of a Redis Cluster), {@code rediss://}
 * (the same over TLS) or {@code redis-sentinel://host:port[,host:port...][/db]#master} (Lettuce's syntax;
 * {@code rediss-sentinel://} speaks TLS to the sentinels and to the master they name). The
 * scheme is case-insensitive (RFC 3986). Characters of the user or password that URIs reserve ({@code / ? # @ :}
 * and {@code %}) must be percent-encoded; they are decoded here.
 *
 * <p>Parsing needs no Redis client, so a config loader can reject a bad URI at once on the caller's thread without
 * loading Lettuce. Messages, {@link #describe()} and {@link #toString()} never contain the user info: a password
 * must not end up in a log, an error or an API answer.
 */
public final class RedisStoreUri {
    /** What every rejection message says is accepted. */
    public static final String ACCEPTED = "redis://[[user]:password@]host[:port][/database] (one server or any "
            + "node of a cluster), rediss://... for TLS, or redis-sentinel://[[user]:password@]host[:port]"
            + "[,host[:port]...][/database]#master, rediss-sentinel://... for TLS (port 1-65535, default 6379, "
            + "26379 for sentinels; database 0-15 by default, default 0; reserved characters / ? # @ : % in the "
            + "user or password percent-encoded as %2F %3F %23 %40 %3A %25; optional ?timeout=2s)";

    /** How the URI reaches Redis. */
    public enum Kind {
        /** One server, or a seed node of a Redis Cluster (found out when connecting). */
        SERVER,
        /** Sentinels that name the current master. */
        SENTINEL
    }

    /** One host and port from the URI. */
    public record Node(String host, int port) {
        String describe() {
            String h = host.indexOf(':') >= 0 && !host.startsWith("[") ? "[" + host + "]" : host;
            return h + ":" + port;
        }
    }

    private final Kind kind;
    private final boolean tls;
    private final List<Node> nodes;
    private final int database;
    private final String user;
    private final String password;
    private final String master;
    private final Duration timeout;

    private RedisStoreUri(Kind kind, boolean tls, List<Node> nodes, int database, String user, String password,
                          String master, Duration timeout) {
        this.kind = kind;
        this.tls = tls;
        this.nodes = List.copyOf(nodes);
        this.database = database;
        this.user = user;
        this.password = password;
        this.master = master;
        this.timeout = timeout;
    }

    /**
     * Parses and checks a store URI.
     *
     * @throws ConfigException naming what is wrong (without credentials) and what is accepted
     */
    public static RedisStoreUri parse(String text) {
        if (text == null || text.isBlank()) {
            throw reject("(empty)", "no URI given");
        }
        String trimmed = text.trim();
        String shown = redact(trimmed);
        int schemeEnd = trimmed.indexOf("://");
        if (schemeEnd <= 0) {
            throw reject(shown, "it does not start with a scheme such as redis://");
        }
        String scheme = trimmed.substring(0, schemeEnd).toLowerCase(Locale.ROOT);
        Kind kind;
        boolean tls;
        switch (scheme) {
            case "redis" -> { kind = Kind.SERVER; tls = false; }
            case "rediss" -> { kind = Kind.SERVER; tls = true; }
            case "redis-sentinel" -> { kind = Kind.SENTINEL; tls = false; }
            case "rediss-sentinel" -> { kind = Kind.SENTINEL; tls = true; }
            default -> throw reject(shown, "the scheme must be redis, rediss, redis-sentinel or rediss-sentinel, "
                    + "not "
                    + (scheme.matches("[a-z][a-z0-9+.-]{0,30}") ? scheme : "that"));
        }
        String rest = trimmed.substring(schemeEnd + 3);
        int authorityEnd = 0;
        while (authorityEnd < rest.length() && "/?#".indexOf(rest.charAt(authorityEnd)) < 0) {
            authorityEnd++;
        }
        if (rest.indexOf('@', authorityEnd) >= 0) {
            // an '@' past the first / ? or #: a user or password holding a reserved character, unencoded; every
            // part a parser would now name could be a piece of the password, so none is named
            throw reject(shown, "a user or password containing / ? # or @ must be percent-encoded (%2F %3F %23 "
                    + "%40)");
        }
        URI uri;
        try {
            // the host list of a sentinel URI is no server-based authority, so java.net.URI keeps it raw for us
            uri = new URI(scheme + "://" + rest);
        } catch (URISyntaxException e) {
            // the parser's own message echoes the input, so only its position is passed on
            throw reject(shown, "it is not a valid URI (error at character " + e.getIndex() + ")"
                    + reservedHint(rest));
        }
        String authority = uri.getRawAuthority();
        if (authority == null || authority.isEmpty()) {
            throw reject(shown, "it names no host" + reservedHint(rest));
        }
        int at = authority.lastIndexOf('@');
        String userInfo = at < 0 ? null : decodeUserInfo(shown, authority.substring(0, at));
        String hostList = authority.substring(at + 1);
        if (hostList.isEmpty()) {
            throw reject(shown, "it names no host");
        }
        List<Node> nodes = nodes(shown, hostList, kind == Kind.SENTINEL ? 26379 : 6379);
        if (kind == Kind.SERVER && nodes.size() > 1) {
            throw reject(shown, "a redis:// URI names one host (any one node of a cluster); several hosts are for "
                    + "redis-sentinel:// or rediss-sentinel://");
        }
        int database = parseDatabase(shown, uri.getRawPath());
        String master = uri.getRawFragment();
        if (kind == Kind.SERVER && master != null) {
            throw reject(shown, "a fragment (#...) is only accepted as the master name of a sentinel URI"
                    + reservedHint(rest));
        }
        if (kind == Kind.SENTINEL && (master == null || !master.matches("[A-Za-z0-9._-]{1,100}"))) {
            throw reject(shown, "a sentinel URI ends with #master, the name the sentinels monitor "
                    + "(letters, digits, '.', '_' or '-')");
        }
        Duration timeout = parseQuery(shown, uri.getRawQuery());
        String user = null;
        String password = null;
        if (userInfo != null) {
            int colon = userInfo.indexOf(':');
            if (colon < 0) {
                password = userInfo; // Lettuce's reading of redis://secret@host: a password without a user
            } else {
                user = colon == 0 ? null : userInfo.substring(0, colon);
                password = userInfo.substring(colon + 1);
            }
        }
        return new RedisStoreUri(kind, tls, nodes, database, user, password, master, timeout);
    }

    /**
     * Checks a store setting: {@code embedded}, or a Redis URI that {@link #parse} accepts. Returns it trimmed.
     *
     * @throws ConfigException saying what is wrong and what is accepted, never quoting a password
     */
    public static String checkStore(String value) {
        String s = value == null ? "" : value.trim();
        if (s.equals("embedded")) {
            return s;
        }
        String lower = s.toLowerCase(Locale.ROOT);
        if (!lower.startsWith("redis://") && !lower.startsWith("rediss://") && !lower.startsWith("redis-sentinel://")
                && !lower.startsWith("rediss-sentinel://")) {
            throw new ConfigException("store '" + redact(s) + "' is not accepted; expected embedded, " + ACCEPTED);
        }
        parse(s);
        return s;
    }

    /** A store setting as safe to show: {@code embedded}, the URI without credentials, or a redacted text. */
    public static String describeStore(String value) {
        if (value == null || value.equals("embedded")) {
            return String.valueOf(value);
        }
        try {
            return parse(value).describe();
        } catch (ConfigException e) {
            return redact(value);
        }
    }

    private static List<Node> nodes(String shown, String hostList, int defaultPort) {
        List<Node> out = new ArrayList<>();
        for (String item : hostList.split(",", -1)) {
            URI one;
            try {
                one = new URI("redis://" + item);
            } catch (URISyntaxException e) {
                throw reject(shown, "the host or port is malformed (expected host[:port])");
            }
            // the item is not quoted: in "redis://:secret" the password sits where the host belongs
            if (one.getHost() == null || one.getRawUserInfo() != null || one.getRawPath() != null
                    && !one.getRawPath().isEmpty()) {
                throw reject(shown, item.isEmpty() ? "a host is missing" : "the host or port is malformed "
                        + "(expected host[:port])");
            }
            int port = one.getPort() == -1 ? defaultPort : one.getPort();
            if (port < 1 || port > 65535) {
                throw reject(shown, "port " + port + " is outside 1-65535");
            }
            String host = one.getHost();
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            }
            out.add(new Node(host, port));
        }
        return out;
    }

    private static int parseDatabase(String shown, String path) {
        if (path == null || path.isEmpty() || path.equals("/")) {
            return 0;
        }
        String digits = path.substring(1);
        if (!digits.matches("[0-9]{1,5}")) {
            throw reject(shown, "the path must be a database number (/0 to /15 by default)");
        }
        return Integer.parseInt(digits);
    }

    private static Duration parseQuery(String shown, String query) {
        if (query == null || query.isEmpty()) {
            return null;
        }
        Duration timeout = null;
        for (String pair : query.split("&")) {
            if (!pair.startsWith("timeout=")) {
                throw reject(shown, "the only query parameter accepted is timeout (e.g. ?timeout=2s)");
            }
            try {
                timeout = Durations.parse(pair.substring("timeout=".length()));
            } catch (IllegalArgumentException e) {
                throw reject(shown, "timeout: " + e.getMessage());
            }
            if (timeout.toMillis() < 10 || timeout.toSeconds() > 600) {
                throw reject(shown, "timeout must be from 10ms to 10m");
            }
        }
        return timeout;
    }

    private static String decodeUserInfo(String shown, String raw) {
        try {
            // java.net.URI decodes %XX in the user info (and checks the escapes); '+' stays a plus
            String decoded = new URI("redis://" + raw + "@h").getUserInfo();
            if (decoded == null) {
                throw reject(shown, "the user or password is malformed");
            }
            return decoded;
        } catch (URISyntaxException e) {
            throw reject(shown, "the user or password is malformed (reserved characters must be "
                    + "percent-encoded: / as %2F, ? as %3F, # as %23, @ as %40, : as %3A, % as %25)");
        }
    }

    /** Why a URI with a raw reserved character in its password fails: said without quoting the password. */
    private static String reservedHint(String afterScheme) {
        int lastAt = afterScheme.lastIndexOf('@');
        if (lastAt < 0) {
            return "";
        }
        String userPart = afterScheme.substring(0, lastAt);
        for (char c : new char[] {'/', '?', '#', '@'}) {
            if (userPart.indexOf(c) >= 0) {
                return "; a user or password containing / ? # or @ must be percent-encoded (%2F %3F %23 %40)";
            }
        }
        return "";
    }

    /** Only printable ASCII of a URI part (never one holding credentials), so a message stays one clean line. */
    private static String printable(String s) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length() && i < 100; i++) {
            char c = s.charAt(i);
            b.append(c >= 0x20 && c < 0x7f ? c : '?');
        }
        return b.toString();
    }

    private static ConfigException reject(String shown, String why) {
        return new ConfigException("Invalid Redis store URI " + shown + ": " + why + ". Accepted: " + ACCEPTED);
    }

    /**
     * The text with everything that could be user info replaced by {@code ***}: up to the last {@code @} after the
     * scheme (a password may itself hold {@code @ / ? #}, so the last {@code @} is the only safe end), or, without
     * any {@code @}, a non-numeric "port" (a password typed without its host). Safe to log even when the text is
     * no URI at all; it may hide more than the user info, never less.
     */
    public static String redact(String text) {
        if (text == null) {
            return "null";
        }
        String t = printable(text.length() > 300 ? text.substring(0, 300) : text);
        int schemeEnd = t.indexOf("://");
        int start = schemeEnd < 0 ? 0 : schemeEnd + 3;
        int at = t.lastIndexOf('@');
        if (at >= start) {
            return t.substring(0, start) + "***@" + t.substring(at + 1);
        }
        if (at >= 0) {
            return "***@" + t.substring(at + 1);
        }
        // no '@': "redis://:secret" or "redis://host:secret" would show a password where a port belongs
        int end = start;
        while (end < t.length() && "/?#".indexOf(t.charAt(end)) < 0) {
            end++;
        }
        String authority = t.substring(start, end);
        StringBuilder out = new StringBuilder(t.substring(0, start));
        String[] items = authority.split(",", -1);
        for (int i = 0; i < items.length; i++) {
            String item = items[i];
            int colon = item.lastIndexOf(':');
            boolean bracketed = item.lastIndexOf(']') > colon;
            if (colon >= 0 && !bracketed && !item.substring(colon + 1).matches("[0-9]*")) {
                item = item.substring(0, colon + 1) + "***";
            }
            out.append(i == 0 ? "" : ",").append(item);
        }
        return out.append(t.substring(end)).toString();
    }

    public Kind kind() {
        return kind;
    }

    public boolean tls() {
        return tls;
    }

    /** The server (a seed node for a cluster), or the sentinels. */
    public List<Node> nodes() {
        return nodes;
    }

    /** The first node's host. */
    public String host() {
        return nodes.get(0).host();
    }

    /** The first node's port. */
    public int port() {
        return nodes.get(0).port();
    }

    public int database() {
        return database;
    }

    public boolean hasCredentials() {
        return password != null;
    }

    /** The ACL user, or null for the default user. */
    String user() {
        return user;
    }

    /** The password, decoded: hand it to the client only, never to a log. */
    String password() {
        return password;
    }

    /** The master name the sentinels monitor; null for redis:// and rediss://. */
    public String master() {
        return master;
    }

    /** The {@code ?timeout=} given, or null. */
    public Duration timeout() {
        return timeout;
    }

    /**
     * {@code redis://host:port/db}, {@code rediss://...}, {@code redis-sentinel://h1:p1,h2:p2/db#master} or
     * {@code rediss-sentinel://...}, without credentials.
     */
    public String describe() {
        StringBuilder b = new StringBuilder((tls ? "rediss" : "redis") + (kind == Kind.SENTINEL ? "-sentinel" : ""))
                .append("://");
        for (int i = 0; i < nodes.size(); i++) {
            b.append(i == 0 ? "" : ",").append(nodes.get(i).describe());
        }
        b.append('/').append(database);
        if (master != null) {
            b.append('#').append(master);
        }
        return b.toString();
    }

    @Override
    public String toString() {
        return describe();
    }
}
