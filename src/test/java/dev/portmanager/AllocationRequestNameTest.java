package dev.portmanager;

import org.junit.jupiter.api.Test;

import java.util.Random;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AllocationRequestNameTest {
    /** The rule as it was written before the check became a loop: the oracle the loop must agree with. */
    private static final Pattern RULE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");

    @Test
    void namesFollowTheRule() {
        assertTrue(AllocationRequest.isName("emotion"));
        assertTrue(AllocationRequest.isName("legacy-emotion_2.1"));
        assertTrue(AllocationRequest.isName("9"));
        assertTrue(AllocationRequest.isName("a".repeat(100)));
        assertFalse(AllocationRequest.isName("a".repeat(101)), "over 100 characters");
        assertFalse(AllocationRequest.isName(""));
        assertFalse(AllocationRequest.isName(null));
        assertFalse(AllocationRequest.isName("-emotion"), "starts with '-'");
        assertFalse(AllocationRequest.isName(".hidden"));
        assertFalse(AllocationRequest.isName("emo tion"));
        assertFalse(AllocationRequest.isName("émotion"), "letters are ASCII letters");
        assertFalse(AllocationRequest.isName("emotion/ml"));
    }

    @Test
    void theLoopAgreesWithTheRegularExpressionOnRandomNames() {
        String alphabet = "aZ09._-/ é:\t";
        Random random = new Random(42);
        for (int n = 0; n < 20_000; n++) {
            StringBuilder b = new StringBuilder();
            int length = random.nextInt(n % 50 == 0 ? 110 : 6);
            for (int i = 0; i < length; i++) {
                b.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            String name = b.toString();
            assertEquals(RULE.matcher(name).matches(), AllocationRequest.isName(name), "'" + name + "'");
        }
    }
}
