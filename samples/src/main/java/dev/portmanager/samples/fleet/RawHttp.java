package dev.portmanager.samples.fleet;

import java.nio.charset.StandardCharsets;

/**
 * The hand-rolled HTTP/1.1 the raw-socket services of the fleet speak: they read a request head and answer every
 * request with one plain-text line, then close. Enough for curl and for the gateway; nothing more was ever needed.
 */
final class RawHttp {
    private RawHttp() {
    }

    /** True once {@code data[0..length)} holds a whole request head (it ends with an empty line). */
    static boolean headComplete(byte[] data, int length) {
        for (int i = 3; i < length; i++) {
            if (data[i - 3] == '\r' && data[i - 2] == '\n' && data[i - 1] == '\r' && data[i] == '\n') {
                return true;
            }
        }
        return false;
    }

    /** A complete {@code 200 OK} response with a text body; {@code Connection: close} because we close after it. */
    static byte[] ok(String body) {
        byte[] bytes = (body + "\n").getBytes(StandardCharsets.UTF_8);
        String head = "HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: " + bytes.length
                + "\r\nConnection: close\r\n\r\n";
        byte[] h = head.getBytes(StandardCharsets.US_ASCII);
        byte[] all = new byte[h.length + bytes.length];
        System.arraycopy(h, 0, all, 0, h.length);
        System.arraycopy(bytes, 0, all, h.length, bytes.length);
        return all;
    }

    /** The one-line answer every service gives: who it is, what it runs on, and the port the socket really has. */
    static String hello(String service, String stack, int port) {
        return service + " (" + stack + ") listening on port " + port + ", pid " + ProcessHandle.current().pid();
    }
}
