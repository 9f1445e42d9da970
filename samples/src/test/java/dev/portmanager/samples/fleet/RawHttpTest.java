package dev.portmanager.samples.fleet;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RawHttpTest {
    @Test
    void headIsCompleteOnlyAfterTheEmptyLine() {
        byte[] req = "GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        assertTrue(RawHttp.headComplete(req, req.length));
        assertFalse(RawHttp.headComplete(req, req.length - 1)); // the last \n still to come
        assertFalse(RawHttp.headComplete(req, 16)); // one line only
    }

    @Test
    void contentLengthCountsBytesNotChars() {
        String response = new String(RawHttp.ok("voix é"), StandardCharsets.UTF_8);
        int split = response.indexOf("\r\n\r\n") + 4;
        byte[] body = response.substring(split).getBytes(StandardCharsets.UTF_8);
        assertTrue(response.startsWith("HTTP/1.1 200 OK\r\n"));
        assertTrue(response.contains("Content-Length: " + body.length + "\r\n"), response);
        assertEquals("voix é\n", response.substring(split));
    }
}
