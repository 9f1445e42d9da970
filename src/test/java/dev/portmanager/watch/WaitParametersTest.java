package dev.portmanager.watch;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The {@code ?index=N&wait=D} of a blocking query: the 5-minute cap, the default, and what a 400 says. */
class WaitParametersTest {

    @Test
    void aWaitLongerThanFiveMinutesIsCappedAndNoWaitMeansTheCap() {
        assertEquals(new WaitParameters(7, Duration.ofMinutes(5)), WaitParameters.parse("index=7&wait=10m"));
        assertEquals(new WaitParameters(7, Duration.ofMinutes(5)), WaitParameters.parse("index=7"));
        assertEquals(new WaitParameters(7, Duration.ofSeconds(30)), WaitParameters.parse("wait=30s&index=7"));
        assertEquals(new WaitParameters(7, Duration.ofMillis(500)), WaitParameters.parse("index=7&wait=500ms"));
        assertTrue(WaitParameters.parse("index=0").blocking());
        assertFalse(WaitParameters.parse("service=x").blocking(), "without index a request answers at once");
        assertFalse(WaitParameters.parse(null).blocking());
    }

    @Test
    void aBadIndexOrWaitSaysWhatWasWrongAndWhatIsAccepted() {
        assertEquals("index 'abc' is not a non-negative number: expected " + WaitParameters.ACCEPTED,
                assertThrows(IllegalArgumentException.class, () -> WaitParameters.parse("index=abc")).getMessage());
        assertEquals("index '-1' is not a non-negative number: expected " + WaitParameters.ACCEPTED,
                assertThrows(IllegalArgumentException.class, () -> WaitParameters.parse("index=-1")).getMessage());
        assertEquals("wait 'soon' is not a duration: expected " + WaitParameters.ACCEPTED,
                assertThrows(IllegalArgumentException.class, () -> WaitParameters.parse("index=1&wait=soon"))
                        .getMessage());
        assertEquals("wait '0s' is zero: expected " + WaitParameters.ACCEPTED,
                assertThrows(IllegalArgumentException.class, () -> WaitParameters.parse("index=1&wait=0s"))
                        .getMessage());
    }
}
