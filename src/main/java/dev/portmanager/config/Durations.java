package dev.portmanager.config;

import java.time.Duration;

/** Parses the short duration forms used in config files, agent arguments and CLI flags. */
public final class Durations {
    public static final String ACCEPTED = "a number followed by ms, s, m, h or d (e.g. 500ms, 30s, 10m, 1h), "
            + "at most 3650d";
    /** The longest duration accepted anywhere: ten years, far from any overflow in milli- or nanoseconds. */
    public static final Duration MAX = Duration.ofDays(3650);

    private Durations() {
    }

    /** Returns the duration, or throws {@link IllegalArgumentException} naming the accepted forms. */
    public static Duration parse(String text) {
        String s = text == null ? "" : text.trim().toLowerCase(java.util.Locale.ROOT);
        int split = 0;
        while (split < s.length() && Character.isDigit(s.charAt(split))) {
            split++;
        }
        if (split == 0 || split == s.length()) {
            throw new IllegalArgumentException("'" + text + "' is not a duration: expected " + ACCEPTED);
        }
        long amount;
        try {
            amount = Long.parseLong(s.substring(0, split));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' is too large: expected " + ACCEPTED);
        }
        long unitMillis;
        switch (s.substring(split)) {
            case "ms": unitMillis = 1; break;
            case "s": unitMillis = 1_000; break;
            case "m": unitMillis = 60_000; break;
            case "h": unitMillis = 3_600_000; break;
            case "d": unitMillis = 86_400_000; break;
            default: throw new IllegalArgumentException("'" + text + "' has an unknown unit: expected " + ACCEPTED);
        }
        // compared before multiplying, so no amount can overflow
        if (amount > MAX.toMillis() / unitMillis) {
            throw new IllegalArgumentException("'" + text + "' is too long: expected " + ACCEPTED);
        }
        return Duration.ofMillis(amount * unitMillis);
    }

    /** Formats a duration in the shortest exact unit, so that parse(format(d)) equals d. */
    public static String format(Duration d) {
        long ms = d.toMillis();
        if (ms % 86_400_000 == 0 && ms > 0) return ms / 86_400_000 + "d";
        if (ms % 3_600_000 == 0 && ms > 0) return ms / 3_600_000 + "h";
        if (ms % 60_000 == 0 && ms > 0) return ms / 60_000 + "m";
        if (ms % 1000 == 0 && ms > 0) return ms / 1000 + "s";
        return ms + "ms";
    }
}
