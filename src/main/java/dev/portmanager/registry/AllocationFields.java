package dev.portmanager.registry;

import dev.portmanager.Allocation;
import dev.portmanager.AllocationState;

import java.util.ArrayList;
import java.util.List;

/**
 * An allocation as Redis hash fields (one field per record component, plain text, no JSON), and back.
 *
 * <p>The publish script also keeps a {@code row} field: the same values in {@link #READ} order joined by a unit
 * separator (0x1F), built server-side from the very values it writes. Reads fetch that one field, so a lookup is
 * one HGET per entry and one flat string on the wire instead of sixteen fields each: this is what keeps
 * {@code lookup} close to the cost of a plain GET. The lease end is not stored as the client computed it: the
 * script keeps a {@code deadline} from Redis's own clock, last in the row, read back as {@code leaseUntil}.
 */
final class AllocationFields {
    /** Field written by the publish script: the owner token compared by renew and withdraw. */
    static final String OWNER = "owner";
    /** Field written by the publish script: lease end in Redis time (epoch ms). */
    static final String DEADLINE = "deadline";
    static final String GENERATION = "generation";
    static final String SERVICE = "service";
    static final String STATE = "state";
    /** Field written by the publish script: every value of {@link #READ} joined by {@link #FIELD_SEPARATOR}. */
    static final String ROW = "row";
    /** Between the values of one row. */
    static final char FIELD_SEPARATOR = '\u001f';
    /** Between the rows of one reply. */
    static final char ROW_SEPARATOR = '\u001e';

    /** The values of a row, in this order; {@link #write} sends all but the last, which the script appends. */
    static final List<String> READ = List.of("host", "port", SERVICE, "type", "instance", "endpoint",
            "requestedPort", "advertised", "pid", "processStart", "createdAt", "leaseMillis", STATE, GENERATION,
            "reason", DEADLINE);

    private AllocationFields() {
    }

    /** Field/value pairs for HSET in {@link #READ} order, except owner and deadline, which the script adds. */
    static List<String> write(Allocation a, long leaseMillis) {
        List<String> out = new ArrayList<>(30);
        pair(out, "host", a.host());
        pair(out, "port", Integer.toString(a.port()));
        pair(out, SERVICE, a.service());
        pair(out, "type", a.type());
        pair(out, "instance", a.instance());
        pair(out, "endpoint", a.endpoint());
        pair(out, "requestedPort", Integer.toString(a.requestedPort()));
        pair(out, "advertised", a.advertised());
        pair(out, "pid", Long.toString(a.pid()));
        pair(out, "processStart", Long.toString(a.processStart()));
        pair(out, "createdAt", Long.toString(a.createdAt()));
        pair(out, "leaseMillis", Long.toString(leaseMillis));
        pair(out, STATE, a.state() == null ? AllocationState.ALLOCATED.name() : a.state().name());
        pair(out, GENERATION, Long.toString(a.generation()));
        pair(out, "reason", a.reason());
        return out;
    }

    /**
     * Null is stored as the empty string: HSET cannot store a missing value, and no field uses "" otherwise. The
     * two separators cannot occur inside a value (they would split the row), so they become spaces.
     */
    private static void pair(List<String> out, String field, String value) {
        out.add(field);
        out.add(value == null ? "" : value.replace(FIELD_SEPARATOR, ' ').replace(ROW_SEPARATOR, ' '));
    }

    /** Decodes a reply of rows; rows of entries that vanished meanwhile are simply absent. */
    static List<Allocation> readAll(String reply) {
        return readAll(reply, 0);
    }

    /** Same, for the rows that start at {@code from} in the reply. */
    static List<Allocation> readAll(String reply, int from) {
        List<Allocation> out = new ArrayList<>(2);
        if (reply == null || reply.length() <= from) {
            return out;
        }
        int start = from;
        while (start <= reply.length()) {
            int end = reply.indexOf(ROW_SEPARATOR, start);
            if (end < 0) {
                end = reply.length();
            }
            Allocation a = read(reply, start, end);
            if (a != null) {
                out.add(a);
            }
            start = end + 1;
        }
        return out;
    }

    /** Decodes one row in {@link #READ} order; null when it is malformed (never fail a listing over one entry). */
    static Allocation read(String row) {
        return read(row, 0, row.length());
    }

    /**
     * Decodes the row between {@code from} and {@code to}. Numbers are parsed in place and only the text fields
     * become strings: this runs on every lookup, whose budget is a plain GET's.
     */
    private static Allocation read(String reply, int from, int to) {
        int[] bounds = new int[READ.size() + 1];
        bounds[0] = from;
        int field = 1;
        for (int i = from; i < to && field < bounds.length; i++) {
            if (reply.charAt(i) == FIELD_SEPARATOR) {
                bounds[field++] = i + 1;
            }
        }
        if (field != bounds.length - 1 || bounds[1] - 1 == from) {
            return null; // wrong number of fields, or no host
        }
        bounds[field] = to + 1;
        Cursor c = new Cursor(reply, bounds);
        return new Allocation(c.text(0), (int) c.number(1), c.text(2), c.text(3), c.text(4), c.text(5),
                (int) c.number(6), c.text(7), c.number(8), c.number(9), c.number(10), c.number(11),
                c.number(15), state(c.text(12)), c.number(13), c.text(14));
    }

    /** The fields of one row: field {@code i} spans {@code bounds[i]} to {@code bounds[i + 1] - 1}. */
    private record Cursor(String reply, int[] bounds) {
        String text(int i) {
            int start = bounds[i];
            int end = bounds[i + 1] - 1;
            return start == end ? null : reply.substring(start, end);
        }

        long number(int i) {
            int start = bounds[i];
            int end = bounds[i + 1] - 1;
            boolean negative = start < end && reply.charAt(start) == '-';
            long value = 0;
            for (int p = negative ? start + 1 : start; p < end; p++) {
                char ch = reply.charAt(p);
                if (ch < '0' || ch > '9') {
                    return 0; // not a number this reader understands: treat as unknown
                }
                value = value * 10 + (ch - '0');
            }
            return negative ? -value : value;
        }
    }

    private static AllocationState state(String s) {
        if (s == null) {
            return AllocationState.ALLOCATED;
        }
        try {
            return AllocationState.valueOf(s);
        } catch (IllegalArgumentException e) {
            // a newer writer may know states this reader does not; never fail a whole listing over one entry
            return AllocationState.ALLOCATED;
        }
    }
}
