package dev.portmanager.registry;

import dev.portmanager.config.ConfigException;

import java.net.URI;
import java.net.URISyntaxException;

/**
 * A checked {@code redis://} or {@code rediss://} store URI. Parsing needs no Redis client, so a config loader can
 * reject a bad URI at once on the caller's thread without loading Lettuce.
 *
 * <p>Messages and {@link #describe()} never contain the user info: a password must not end up in a log.
 */
public final class RedisStoreUri {
    /** What every rejection message says is accepted. */
    public static final String ACCEPTED = "redis://[[user]:password@]host[:port][/database] or "
            + "rediss://... for TLS (port 1-65535, default 6379; database 0-15 by default, default 0)";

    private final String raw;
    private final boolean tls;
    private final String host;
    private final int port;
    private final int database;
    private final boolean credentials;

    private RedisStoreUri(String raw, boolean tls, String host, int port, int database, boolean credentials) {
        this.raw = raw;
        this.tls = tls;
        this.host = host;
        this.port = port;
        this.database = database;
        this.credentials = credentials;
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
        URI uri;
        try {
            uri = new URI(trimmed);
        } catch (URISyntaxException e) {
            // the parser's own message echoes the input, so only its position is passed on
            throw reject(shown, "it is not a valid URI (error at character " + e.getIndex() + ")");
        }
        String scheme = uri.getScheme();
        if (scheme == null || !(scheme.equalsIgnoreCase("redis") || scheme.equalsIgnoreCase("rediss"))) {
            throw reject(shown, "the scheme must be redis or rediss, not " + (scheme == null ? "missing" : scheme));
        }
        String host = uri.getHost();
        if (host == null || host.isEmpty()) {
            throw reject(shown, uri.getRawAuthority() == null ? "it names no host"
                    : "the host or port is malformed");
        }
        int port = uri.getPort() == -1 ? 6379 : uri.getPort();
        if (port < 1 || port > 65535) {
            throw reject(shown, "port " + port + " is outside 1-65535");
        }
        int database = parseDatabase(shown, uri.getRawPath());
        if (uri.getRawFragment() != null) {
            throw reject(shown, "a fragment (#...) is not accepted");
        }
        return new RedisStoreUri(trimmed, scheme.equalsIgnoreCase("rediss"), host, port, database,
                uri.getRawUserInfo() != null);
    }

    private static int parseDatabase(String shown, String path) {
        if (path == null || path.isEmpty() || path.equals("/")) {
            return 0;
        }
        String digits = path.substring(1);
        if (!digits.matches("[0-9]{1,5}")) {
            throw reject(shown, "the path must be a database number, not /" + digits);
        }
        return Integer.parseInt(digits);
    }

    private static ConfigException reject(String shown, String why) {
        return new ConfigException("Invalid Redis store URI " + shown + ": " + why + ". Accepted: " + ACCEPTED);
    }

    /** The URI with any user info replaced by {@code ***}; safe to log even when the URI is malformed. */
    public static String redact(String text) {
        if (text == null) {
            return "null";
        }
        int schemeEnd = text.indexOf("://");
        int authorityStart = schemeEnd < 0 ? 0 : schemeEnd + 3;
        int authorityEnd = indexOfAny(text, authorityStart, "/?#");
        int at = text.lastIndexOf('@', authorityEnd - 1);
        if (at < authorityStart) {
            return text;
        }
        return text.substring(0, authorityStart) + "***@" + text.substring(at + 1);
    }

    private static int indexOfAny(String text, int from, String chars) {
        for (int i = from; i < text.length(); i++) {
            if (chars.indexOf(text.charAt(i)) >= 0) {
                return i;
            }
        }
        return text.length();
    }

    /** The URI as given, credentials included: hand it to the client only, never to a log. */
    String raw() {
        return raw;
    }

    public boolean tls() {
        return tls;
    }

    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    public int database() {
        return database;
    }

    public boolean hasCredentials() {
        return credentials;
    }

    /** {@code redis://host:port/db} without credentials. */
    public String describe() {
        String h = host.indexOf(':') >= 0 && !host.startsWith("[") ? "[" + host + "]" : host;
        return (tls ? "rediss" : "redis") + "://" + h + ":" + port + "/" + database;
    }

    @Override
    public String toString() {
        return describe();
    }
}
