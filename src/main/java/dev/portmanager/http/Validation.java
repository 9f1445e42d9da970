package dev.portmanager.http;

import dev.portmanager.AllocationRequest;
import dev.portmanager.config.Durations;
import dev.portmanager.config.PortManagerConfig;

import java.time.Duration;

/** Input checks shared by the HTTP edge and the CLI; each failure says what was wrong and what is accepted. */
public final class Validation {
    public static final String PORT_RULE = "a whole number from 1 to 65535";
    /** A reservation longer than this is almost certainly a typo; it would also hold a port for good. */
    public static final Duration MAX_TTL = Duration.ofDays(365);

    private Validation() {
    }

    public static String name(String what, String value) {
        if (value == null) {
            throw ApiException.badRequest(what + " is required: " + AllocationRequest.NAME_RULE);
        }
        if (!AllocationRequest.isName(value)) {
            throw ApiException.badRequest(what + " '" + printable(value) + "' is not accepted: expected "
                    + AllocationRequest.NAME_RULE);
        }
        return value;
    }

    public static String type(PortManagerConfig config, String value) {
        if (!AllocationRequest.isName(value) || config.rangeFor(value) == null) {
            throw ApiException.badRequest("type '" + printable(value) + "' is unknown: expected one of "
                    + config.knownTypes());
        }
        return value;
    }

    public static int port(String what, int value) {
        if (value < 1 || value > 65535) {
            throw ApiException.badRequest(what + " " + value + " is out of range: expected " + PORT_RULE);
        }
        return value;
    }

    /** A port from text (a path segment or a CLI argument): digits only, 1-65535. */
    public static int port(String what, String text) {
        // ASCII digits only: Integer.parseInt would also take other scripts' digits.
        if (text == null || text.isEmpty() || text.length() > 5
                || !text.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw ApiException.badRequest(what + " '" + printable(text) + "' is not a port: expected " + PORT_RULE);
        }
        return port(what, Integer.parseInt(text));
    }

    public static Duration ttl(String text) {
        Duration d;
        try {
            d = Durations.parse(text);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("ttl " + e.getMessage());
        } catch (ArithmeticException e) {
            throw ApiException.badRequest("ttl '" + printable(text) + "' is too long: expected at most "
                    + Durations.format(MAX_TTL));
        }
        if (d.isZero() || d.isNegative() || d.compareTo(MAX_TTL) > 0) {
            throw ApiException.badRequest("ttl '" + printable(text) + "' is not accepted: expected more than zero "
                    + "and at most " + Durations.format(MAX_TTL) + ", as " + Durations.ACCEPTED);
        }
        return d;
    }

    /** Echoes a client's value safely: short, no control characters. */
    public static String printable(String value) {
        if (value == null) {
            return "null";
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < value.length() && sb.length() < 80; i++) {
            char c = value.charAt(i);
            sb.append(Character.isISOControl(c) ? '?' : c);
        }
        if (value.length() > 80) {
            sb.append("...");
        }
        return sb.toString();
    }
}
