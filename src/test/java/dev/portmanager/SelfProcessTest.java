package dev.portmanager;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class SelfProcessTest {
    @Test
    void readsWhatProcessHandleReports() {
        ProcessHandle self = ProcessHandle.current();
        Owner fromProc = SelfProcess.read();
        assertEquals(new Owner(self.pid(), self.info().startInstant().orElseThrow().toEpochMilli()), fromProc);
    }

    @Test
    void findsTheBootTimeLine() {
        assertEquals(1764633600L, SelfProcess.bootTime("cpu  1 2 3\nintr 5 6\nbtime 1764633600\nprocesses 42\n"));
        assertEquals(0L, SelfProcess.bootTime("cpu  1 2 3\n"));
    }
}
