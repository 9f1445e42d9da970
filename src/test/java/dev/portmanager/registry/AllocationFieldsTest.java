package dev.portmanager.registry;

import dev.portmanager.Allocation;
import dev.portmanager.AllocationState;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The field codec on its own: the row the publish script builds from {@code write()} decodes back. */
class AllocationFieldsTest {

    /** What the publish script does: every written value in order, the deadline appended. */
    private static String rowOf(Allocation a, long deadline) {
        List<String> pairs = AllocationFields.write(a, a.leaseMillis());
        List<String> values = new ArrayList<>();
        for (int i = 1; i < pairs.size(); i += 2) {
            values.add(pairs.get(i));
        }
        values.add(Long.toString(deadline));
        return String.join(String.valueOf(AllocationFields.FIELD_SEPARATOR), values);
    }

    @Test
    void writtenFieldsFollowTheReadOrder() {
        List<String> pairs = AllocationFields.write(TestAllocations.listening(1, "s", 1, 1, 1), 1);
        List<String> names = new ArrayList<>();
        for (int i = 0; i < pairs.size(); i += 2) {
            names.add(pairs.get(i));
        }
        assertEquals(AllocationFields.READ.subList(0, AllocationFields.READ.size() - 1), names);
    }

    @Test
    void aRowDecodesToTheSameAllocationWithRedisDeadline() {
        Allocation a = TestAllocations.listening(8085, "svc", 9, 4242, 30_000);
        Allocation back = AllocationFields.read(rowOf(a, 123_456L));
        assertEquals(a.withLeaseUntil(123_456L), back);
    }

    @Test
    void separatorsInsideValuesCannotSplitARow() {
        Allocation a = TestAllocations.of("h", 1, "svc", 1, 0, 1000, AllocationState.RESERVED);
        Allocation evil = new Allocation(a.host(), a.port(), a.service(), a.type(), a.instance(), a.endpoint(), 0,
                null, 0, 0, a.createdAt(), 1000, 0, a.state(), 1, "bad\u001freason\u001erow");
        List<Allocation> rows = AllocationFields.readAll(rowOf(evil, 5) + AllocationFields.ROW_SEPARATOR
                + rowOf(a, 6));
        assertEquals(2, rows.size());
        assertEquals("bad reason row", rows.get(0).reason());
        assertNull(rows.get(0).advertised());
        assertEquals(6, rows.get(1).leaseUntil());
    }

    @Test
    void emptyAndMalformedRepliesYieldNothing() {
        assertTrue(AllocationFields.readAll("").isEmpty());
        assertTrue(AllocationFields.readAll(null).isEmpty());
        assertTrue(AllocationFields.readAll("only\u001ftwo").isEmpty());
    }
}
