package dev.portmanager.watch;

import dev.portmanager.config.Durations;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * The {@code ?index=N&wait=D} of a blocking query. Without {@code index} the request answers at once; with it,
 * it waits until the index differs from N, for at most {@code wait} (default and cap: {@link #MAX_WAIT}).
 *
 * @param index the index the client has seen, or -1 for none
 * @param maxWait how long to wait for a change
 */
public record WaitParameters(long index, Duration maxWait) {
    public static final Duration MAX_WAIT = Duration.ofMinutes(5);
    public static final String ACCEPTED = "index=N (a number from a previous X-PortManager-Index) and optionally "
            + "wait=D (e.g. 30s, 500ms, 5m; at most 5m)";

    public boolean blocking() {
        return index >= 0;
    }

    /**
     * Parses a raw query string; other parameters are ignored.
     *
     * @throws IllegalArgumentException saying what was wrong and what is accepted
     */
    public static WaitParameters parse(String rawQuery) {
        long index = -1;
        Duration wait = MAX_WAIT;
        if (rawQuery == null || rawQuery.isEmpty()) {
            return new WaitParameters(index, wait);
        }
        for (String pair : rawQuery.split("&")) {
            int eq = pair.indexOf('=');
            String key = decode(eq < 0 ? pair : pair.substring(0, eq));
            String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
            if (key.equals("index")) {
                index = parseIndex(value);
            } else if (key.equals("wait")) {
                wait = parseWait(value);
            }
        }
        return new WaitParameters(index, wait);
    }

    private static long parseIndex(String value) {
        try {
            long n = Long.parseLong(value.trim());
            if (n >= 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("index '" + printable(value) + "' is not a non-negative number: expected "
                + ACCEPTED);
    }

    private static Duration parseWait(String value) {
        Duration d;
        try {
            d = Durations.parse(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("wait '" + printable(value) + "' is not a duration: expected "
                    + ACCEPTED);
        }
        if (d.isZero()) {
            throw new IllegalArgumentException("wait '" + printable(value) + "' is zero: expected " + ACCEPTED);
        }
        // Like Consul, a longer wait is clamped rather than refused: the client simply asks again sooner.
        return d.compareTo(MAX_WAIT) > 0 ? MAX_WAIT : d;
    }

    private static String decode(String s) {
        try {
            return URLDecoder.decode(s, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return s;
        }
    }

    private static String printable(String s) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length() && i < 64; i++) {
            char c = s.charAt(i);
            b.append(c < 0x20 || c == 0x7f ? '?' : c);
        }
        return b.toString();
    }
}
