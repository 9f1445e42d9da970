package dev.portmanager.registry;

import dev.portmanager.Allocation;
import dev.portmanager.AllocationState;

import java.util.ArrayList;
import java.util.List;

/**
 * An allocation as Redis hash fields (one field per record component, plain text, no JSON), and back.
 *
 * <p>Reads use HMGET with {@link #READ} in a fixed order, so the scripts return bare values and decoding is
 * positional. The lease end is not stored as the client computed it: the scripts keep a {@code deadline} from
 * Redis's own clock, and it is read back as {@code leaseUntil}.
 */
final class AllocationFields {
    /** Field written by the publish script: the owner token compared by renew and withdraw. */
    static final String OWNER = "owner";
    /** Field written by the publish script: lease end in Redis time (epoch ms). */
    static final String DEADLINE = "deadline";
    static final String GENERATION = "generation";
    static final String SERVICE = "service";
    static final String STATE = "state";

    /** The fields the read scripts fetch, in this order. The first must be present in every entry. */
    static final List<String> READ = List.of("host", "port", SERVICE, "type", "instance", "endpoint",
            "requestedPort", "advertised", "pid", "processStart", "createdAt", "leaseMillis", DEADLINE, STATE,
            GENERATION, "reason");

    private AllocationFields() {
    }

    /** Field/value pairs for HSET, except owner and deadline, which the script writes itself. */
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

    /** Null is stored as the empty string: HSET cannot store a missing value, and no field uses "" otherwise. */
    private static void pair(List<String> out, String field, String value) {
        out.add(field);
        out.add(value == null ? "" : value);
    }

    /** Decodes one HMGET row in {@link #READ} order; null when the entry vanished between index and read. */
    static Allocation read(List<?> row) {
        if (row == null || row.size() < READ.size() || row.get(0) == null) {
            return null;
        }
        long deadline = number(row.get(12));
        return new Allocation(text(row.get(0)), (int) number(row.get(1)), text(row.get(2)), text(row.get(3)),
                text(row.get(4)), text(row.get(5)), (int) number(row.get(6)), text(row.get(7)),
                number(row.get(8)), number(row.get(9)), number(row.get(10)), number(row.get(11)), deadline,
                state(row.get(13)), number(row.get(14)), text(row.get(15)));
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
