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
        List<Allocation> out = new ArrayList<>();
        if (reply == null || reply.isEmpty()) {
            return out;
        }
        int start = 0;
        while (start <= reply.length()) {
            int end = reply.indexOf(ROW_SEPARATOR, start);
            if (end < 0) {
                end = reply.length();
            }
            Allocation a = read(reply.substring(start, end));
            if (a != null) {
                out.add(a);
            }
            start = end + 1;
        }
        return out;
    }

    /** Decodes one row in {@link #READ} order; null when it is malformed (never fail a listing over one entry). */
    static Allocation read(String row) {
        String[] v = new String[READ.size()];
        int start = 0;
        for (int i = 0; i < v.length; i++) {
            int end = i == v.length - 1 ? row.length() : row.indexOf(FIELD_SEPARATOR, start);
            if (end < 0) {
                return null;
            }
            v[i] = row.substring(start, end);
            start = end + 1;
        }
        if (v[0].isEmpty()) {
            return null;
        }
        return new Allocation(text(v[0]), (int) number(v[1]), text(v[2]), text(v[3]), text(v[4]), text(v[5]),
                (int) number(v[6]), text(v[7]), number(v[8]), number(v[9]), number(v[10]), number(v[11]),
                number(v[15]), state(v[12]), number(v[13]), text(v[14]));
    }

    private static String text(Object value) {
        if (value == null) {
            return null;
        }
        String s = value.toString();
        return s.isEmpty() ? null : s;
    }

    private static long number(Object value) {
        String s = text(value);
        if (s == null) {
            return 0;
        }
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static AllocationState state(Object value) {
        String s = text(value);
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
