package dev.portmanager.agent;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConnectRoutesTest {
    @Test
    void bothFormsSeparatedBySemicolons() {
        ConnectRoutes r = ConnectRoutes.parse(" 8085@com.acme.gateway.voice=voice ; 8088=emotion;", "-Dportmanager.routes");
        assertEquals(List.of(), r.problems());
        assertEquals(2, r.routes().size());
        ConnectRoutes.Route voice = r.routes().get(0);
        assertEquals(8085, voice.port());
        assertEquals("com.acme.gateway.voice", voice.prefix());
        assertEquals("voice", voice.service());
        ConnectRoutes.Route emotion = r.routes().get(1);
        assertEquals(8088, emotion.port());
        assertNull(emotion.prefix());
        assertEquals("emotion", emotion.service());
    }

    @Test
    void aBadItemIsOneLineAndOnlyItIsLeftOut() {
        ConnectRoutes r = ConnectRoutes.parse("8085=voice;80x5=voice;70000=big;8085@=x;8085@a b=x;8086=a=b;=x;8087=",
                "$PORTMANAGER_ROUTES");
        assertEquals(1, r.routes().size());
        assertEquals("voice", r.routes().get(0).service());
        assertEquals(7, r.problems().size(), r.problems().toString());
        assertTrue(r.problems().get(0).startsWith("route '80x5=voice' from $PORTMANAGER_ROUTES ignored: expected "
                + ConnectRoutes.ACCEPTED), r.problems().get(0));
    }

    @Test
    void nothingSetIsNoRoutes() {
        assertTrue(ConnectRoutes.parse(null, "x").isEmpty());
        assertTrue(ConnectRoutes.parse("  ", "x").isEmpty());
    }
}
