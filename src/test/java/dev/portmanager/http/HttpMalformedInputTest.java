package dev.portmanager.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.portmanager.cli.Launcher;
import dev.portmanager.cli.Sidecar;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Malformed input for every endpoint, against a real {@code serve} child: each answer is the expected 4xx with a
 * JSON {@code {error, detail}}, none is a 5xx, and the allocations are exactly as they were afterwards.
 */
class HttpMalformedInputTest {
    private static final String PM = "/api/v1/port-management";
    private static final String DISCOVERY = "/api/v1/discovery";

    @TempDir
    static Path dir;
    static Sidecar sidecar;
    static Set<Integer> reserved = new TreeSet<>();
    static String baseline;

    @BeforeAll
    static void start() throws Exception {
        sidecar = Sidecar.start(new Launcher(dir), List.of(), List.of());
        for (String s : List.of("keep-one", "keep-two")) {
            Http.Reply r = Http.post(sidecar.uri(PM + "/allocate"), "{\"service\":\"" + s + "\",\"type\":\"testing\"}");
            assertEquals(201, r.status(), r.toString());
            reserved.add(r.json().get("port").asInt());
        }
        baseline = snapshot();
    }

    @AfterAll
    static void stop() {
        if (sidecar != null) {
            sidecar.close();
        }
    }

    /** Host, port, service, state and generation of every allocation: any state change shows up here. */
    static String snapshot() {
        Http.Reply r = Http.get(sidecar.uri(PM + "/allocations"));
        assertEquals(200, r.status(), r.toString());
        List<String> rows = new ArrayList<>();
        for (JsonNode a : r.json()) {
            rows.add(a.get("host").asText() + ":" + a.get("port").asInt() + " " + a.get("service").asText() + " "
                    + a.get("state").asText() + " #" + a.get("generation").asLong());
        }
        return String.join("\n", rows);
    }

    @AfterEach
    void allocationsUnchanged() {
        assertEquals(baseline, snapshot(), "malformed requests changed the allocations");
        assertEquals(2, baseline.lines().count());
    }

    private static Http.Reply call(String method, String path, String body, String contentType) {
        return Http.send(method, sidecar.uri(path), body, contentType);
    }

    private static void expect(int status, String method, String path, String body, String contentType) {
        Http.Reply r = call(method, path, body, contentType);
        assertEquals(status, r.status(), method + " " + path + " " + body + " -> " + r);
        JsonNode j = r.json();
        assertTrue(j.hasNonNull("error") && j.hasNonNull("detail"), r.toString());
        assertFalse(r.body().contains("Exception"), "no stack traces or class names leak: " + r);
    }

    @Test
    void badJsonBodies() {
        List<String> bodies = List.of("", " ", "{", "}", "[]", "[{\"service\":\"x\"}]", "null", "true", "42", "\"x\"",
                "{\"service\":\"x\"", "{service:\"x\"}", "{'service':'x'}", "{\"service\":\"x\"} {}",
                "{\"service\":\"x\",}", "{\"service\":\"x\" \"type\":\"ml\"}", "\u0000\u0001\u0002",
                "{\"service\":\"a\",\"service\":\"b\"}", "[".repeat(5000) + "]".repeat(5000),
                "{\"a\":".repeat(100) + "1" + "}".repeat(100), "{\"service\":\"\\ud800\"}",
                "{\"service\":\"x\",\"preferredPort\":" + "9".repeat(400) + "}");
        for (String b : bodies) {
            expect(400, "POST", PM + "/allocate", b, "application/json");
        }
    }

    @Test
    void wrongTypesAndValues() {
        List<String> bodies = List.of(
                "{\"service\":123}", "{\"service\":true}", "{\"service\":null}", "{\"service\":[\"x\"]}",
                "{\"service\":{\"n\":\"x\"}}", "{\"service\":\"\"}", "{\"service\":\"has space\"}",
                "{\"service\":\"a:b\"}", "{\"service\":\"a{b\"}", "{\"service\":\"{port}\"}", "{\"service\":\"-x\"}",
                "{\"service\":\"../etc\"}", "{\"service\":\"ñandú\"}", "{\"service\":\"" + "x".repeat(101) + "\"}",
                "{\"service\":\"a\\nb\"}", "{\"service\":\"x\",\"type\":\"nope\"}", "{\"service\":\"x\",\"type\":5}",
                "{\"service\":\"x\",\"type\":\"a b\"}", "{\"service\":\"x\",\"preferredPort\":0}",
                "{\"service\":\"x\",\"preferredPort\":-1}", "{\"service\":\"x\",\"preferredPort\":65536}",
                "{\"service\":\"x\",\"preferredPort\":\"8080\"}", "{\"service\":\"x\",\"preferredPort\":\"abc\"}",
                "{\"service\":\"x\",\"preferredPort\":8080.5}", "{\"service\":\"x\",\"preferredPort\":1e3}",
                "{\"service\":\"x\",\"preferredPort\":true}", "{\"service\":\"x\",\"preferredPort\":[8080]}",
                "{\"service\":\"x\",\"preferredPort\":2147483648}", "{\"service\":\"x\",\"ttl\":\"0s\"}",
                "{\"service\":\"x\",\"ttl\":\"-5m\"}", "{\"service\":\"x\",\"ttl\":\"5\"}",
                "{\"service\":\"x\",\"ttl\":5}", "{\"service\":\"x\",\"ttl\":\"99999999999999999999d\"}",
                "{\"service\":\"x\",\"ttl\":\"9999999999999d\"}", "{\"service\":\"x\",\"ttl\":\"400d\"}",
                "{\"service\":\"x\",\"owner\":1}", "{\"service\":\"x\",\"mode\":\"strict\"}");
        for (String b : bodies) {
            expect(400, "POST", PM + "/allocate", b, "application/json");
        }
    }

    @Test
    void wrongContentTypeIs415() {
        for (String ct : List.of("text/plain", "application/x-www-form-urlencoded", "multipart/form-data; b=x",
                "application/xml", "application/jsonx", "text/json")) {
            expect(415, "POST", PM + "/allocate", "{\"service\":\"x\"}", ct);
        }
    }

    @Test
    void hugeBodiesAre413() {
        // Repeated: a server that answers without reading the body makes the client see a reset now and then.
        for (int size : List.of(70_000, 300_000, 1_000_000)) {
            for (int i = 0; i < 5; i++) {
                expect(413, "POST", PM + "/allocate", "{\"service\":\"" + "x".repeat(size) + "\"}",
                        "application/json");
            }
        }
        // Declared but never sent: refused from the header alone.
        int declared = Http.raw(sidecar.url(), "POST " + PM + "/allocate HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: "
                + "application/json\r\nContent-Length: 1073741824\r\n\r\n");
        assertEquals(413, declared);
        // Chunked, no length: cut off at the cap.
        StringBuilder chunked = new StringBuilder("POST " + PM + "/allocate HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                + "Transfer-Encoding: chunked\r\nContent-Type: application/json\r\n\r\n");
        String chunk = "y".repeat(16_384);
        for (int i = 0; i < 64; i++) {
            chunked.append(Integer.toHexString(chunk.length())).append("\r\n").append(chunk).append("\r\n");
        }
        chunked.append("0\r\n\r\n");
        assertEquals(413, Http.raw(sidecar.url(), chunked.toString()));
    }

    @Test
    void oddPortsInPaths() {
        int free = 1;
        while (reserved.contains(free)) {
            free++;
        }
        for (String p : List.of("0", "65536", "-1", "abc", "1.5", "1e3", "%31", "+80", "080800", "99999999999",
                "%20", "0x50", "８０")) {
            expect(400, "DELETE", PM + "/release/" + encodeOdd(p), null, "application/json");
        }
        expect(404, "DELETE", PM + "/release/" + free, null, "application/json");
    }

    // "/" is the dashboard (DashboardTest)
    @Test
    void oddPaths() {
        for (String p : List.of("/api", "/api/v1", PM, PM + "/", PM + "/release", PM + "/release/",
                PM + "/release//5", PM + "/release/5/x", PM + "/allocations/x", DISCOVERY, DISCOVERY + "/x",
                DISCOVERY + "/services/x/health/more", DISCOVERY + "/services/x/y", "/health/x", "//health",
                "/API/V1/port-management/allocations", "/api/v1/port-management/../discovery/services",
                "/" + "a/".repeat(2000))) {
            Http.Reply r = call("GET", p, null, null);
            assertEquals(404, r.status(), p + " -> " + r); // no endpoint has that path, whatever the method
            if (!p.startsWith("//")) { // "//health" parses as an authority; the JDK server answers it itself
                assertEquals("not_found", r.json().get("error").asText(), r.toString());
            }
        }
        for (String name : List.of("a%20b", "a%3Ab", "%7B", "%7Bport%7D", "..", "%2e%2e", "a%00", "%2F", "a%2Fb",
                "-x", "_x", "%C3%B1", "x".repeat(101), "a;b", "a%0D%0Ab")) {
            expect(400, "GET", DISCOVERY + "/services/" + name, null, null);
            expect(400, "GET", DISCOVERY + "/services/" + name + "/health", null, null);
        }
    }

    @Test
    void namesWithSpacesColonsAndBracesOnTheWire() {
        // Characters an HTTP client library would refuse to put in a URI, sent raw: each is refused by name...
        for (String name : List.of("a:b", "{x}", "x{", "a\tb", "\"x\"", "<x>", "x|y", "a\\b")) {
            int status = Http.raw(sidecar.url(), "GET " + DISCOVERY + "/services/" + name
                    + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
            assertEquals(400, status, name);
        }
        // ...except a space, which ends the request target ("a b" arrives as "a"): a service nobody knows.
        assertEquals(404, Http.raw(sidecar.url(), "GET " + DISCOVERY + "/services/a b HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"));
    }

    @Test
    void wrongMethodsAre405() {
        expect(405, "GET", PM + "/allocate", null, null);
        expect(405, "PUT", PM + "/allocate", "{\"service\":\"x\"}", "application/json");
        expect(405, "PATCH", PM + "/release/" + reserved.iterator().next(), null, null);
        expect(405, "GET", PM + "/release/" + reserved.iterator().next(), null, null);
        expect(405, "POST", PM + "/release/" + reserved.iterator().next(), null, null);
        for (String p : List.of(PM + "/allocations", PM + "/utilization", PM + "/conflicts", DISCOVERY + "/services",
                DISCOVERY + "/services/keep-one", DISCOVERY + "/services/keep-one/health", "/health")) {
            expect(405, "POST", p, "{}", "application/json");
            expect(405, "DELETE", p, null, null);
            expect(405, "PUT", p, "{}", "application/json");
        }
        expect(405, "DELETE", DISCOVERY + "/services/refresh", null, null);
        assertEquals(405, Http.raw(sidecar.url(), "OPTIONS /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"));
        assertEquals(405, Http.raw(sidecar.url(), "HEAD /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"));
        assertEquals(405, Http.raw(sidecar.url(), "BREW " + PM + "/allocate HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"));
    }

    @Test
    void garbageOnTheWire() {
        Map<String, Integer> expected = new LinkedHashMap<>();
        expected.put("GARBAGE\r\n\r\n", 400);
        expected.put("GET\r\n\r\n", 400);
        expected.put("GET / HTTP/9.9\r\n\r\n", 421); // no Host: not a request for this sidecar
        expected.put("\r\n\r\n", Http.CLOSED_WITHOUT_ANSWER); // no request at all: nothing to answer
        expected.put("GET /health HTTP/1.1\r\nNo colon here\r\n\r\n", 400);
        // One long header is read whole and the request served (the JDK server has no header cap by default).
        expected.put("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Long: " + "h".repeat(200_000) + "\r\n\r\n", 200);
        expected.put("POST " + PM + "/allocate HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: -5\r\n\r\n", 400);
        expected.put("POST " + PM + "/allocate HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: abc\r\n\r\n{}", 400);
        // No Content-Type: refused for that before the body is looked at.
        expected.put("POST " + PM + "/allocate HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 5\r\n\r\n{", 415);
        expected.put("POST " + PM + "/allocate HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
                415);
        expected.put("GET /" + "x".repeat(100_000) + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", 404);
        Map<String, Integer> answered = new LinkedHashMap<>();
        expected.keySet().forEach(request -> answered.put(request, Http.raw(sidecar.url(), request)));
        assertEquals(abbreviated(expected), abbreviated(answered));
        assertEquals(400, Http.raw(sidecar.url(), new byte[]{0, 1, 2, 3, (byte) 0xff, '\r', '\n', '\r', '\n'}),
                "binary junk");
        assertEquals(200, Http.get(sidecar.uri("/health")).status(), "still serving");
    }

    private static Map<String, Integer> abbreviated(Map<String, Integer> byRequest) {
        Map<String, Integer> out = new LinkedHashMap<>();
        byRequest.forEach((r, status) -> out.put(out.size() + ": " + r.substring(0, Math.min(60, r.length()))
                .replace("\r\n", "|"), status));
        return out;
    }

    /** Thousands of generated malformed requests: never a 5xx, never a state change (checked after each test). */
    @Test
    void fuzz() {
        Random rnd = new Random(20261125L);
        String[] methods = {"GET", "POST", "PUT", "DELETE", "PATCH"};
        String[] junk = {"", "x", "a b", "a:b", "{", "}", "%", "%zz", "%00", "..", ".", "-", "0", "-1", "65536",
                "99999999999", "abc", "ñ", "%C3%28", "keep-one", "refresh", "health", "services", "release",
                "allocate", "%2F", "x".repeat(300), "1.0", "NaN", "null"};
        String[] bodies = {"", "{", "[]", "null", "{\"service\":1}", "{\"service\":\"a b\"}",
                "{\"service\":\"x\",\"preferredPort\":\"1\"}", "{\"service\":\"x\",\"type\":\"zz\"}",
                "{\"service\":\"x\",\"bogus\":1}", "{\"service\":\"x\",\"preferredPort\":70000}",
                "{\"service\":\"x\",\"ttl\":\"0s\"}"};
        int count = 2000;
        int fiveHundreds = 0;
        List<String> failures = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String method = methods[rnd.nextInt(methods.length)];
            String path = randomPath(rnd, junk);
            if (method.equals("POST") && path.equals(DISCOVERY + "/services/refresh")) {
                continue; // a valid request
            }
            String body = switch (rnd.nextInt(3)) {
                case 0 -> bodies[rnd.nextInt(bodies.length)];
                case 1 -> randomGarbage(rnd);
                default -> null;
            };
            if (method.equals("GET") || method.equals("DELETE")) {
                body = null;
            }
            if (method.equals("DELETE") && path.startsWith(PM + "/release/")
                    && reserved.stream().anyMatch(p -> path.equals(PM + "/release/" + p))) {
                continue; // would release a baseline reservation legitimately
            }
            Http.Reply r = call(method, path, body, rnd.nextBoolean() ? "application/json" : null);
            if (r.status() >= 500) {
                fiveHundreds++;
                failures.add(method + " " + path + " " + body + " -> " + r);
            }
        }
        assertEquals(0, fiveHundreds, String.join("\n", failures));
    }

    private static String randomPath(Random rnd, String[] junk) {
        String[] prefixes = {PM + "/allocate", PM + "/release/", PM + "/allocations", PM + "/utilization",
                PM + "/conflicts", DISCOVERY + "/services", DISCOVERY + "/services/", "/health", "/", PM + "/",
                DISCOVERY + "/services/refresh"};
        StringBuilder p = new StringBuilder(prefixes[rnd.nextInt(prefixes.length)]);
        int extra = rnd.nextInt(3);
        for (int i = 0; i < extra; i++) {
            if (p.charAt(p.length() - 1) != '/') {
                p.append('/');
            }
            p.append(encodeOdd(junk[rnd.nextInt(junk.length)]));
        }
        if (rnd.nextInt(4) == 0) {
            p.append("/health");
        }
        return p.toString();
    }

    private static String randomGarbage(Random rnd) {
        // Never starts with '{', so it can never be a valid allocation request.
        StringBuilder sb = new StringBuilder("#");
        int n = rnd.nextInt(200);
        for (int i = 0; i < n; i++) {
            sb.append((char) (32 + rnd.nextInt(95)));
        }
        return sb.toString();
    }

    /** Percent-encodes what a URI may not carry, leaving existing escapes alone. */
    private static String encodeOdd(String s) {
        StringBuilder sb = new StringBuilder();
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (c > 32 && c < 127 && "{}|\\^`\"<> #?".indexOf(c) < 0) {
                sb.append((char) c);
            } else {
                sb.append('%').append(String.format("%02X", c));
            }
        }
        String out = sb.toString();
        try {
            URI.create("http://x/" + out);
            return out;
        } catch (IllegalArgumentException e) {
            return out.replace("%", "%25");
        }
    }

    @Test
    void theTestItselfCanFail() {
        // A valid allocation does change the snapshot: the unchanged-allocations check is not vacuous.
        Http.Reply r = call("POST", PM + "/allocate", "{\"service\":\"probe\",\"type\":\"testing\"}", "application/json");
        assertEquals(201, r.status(), r.toString());
        assertNotEquals(baseline, snapshot());
        Http.Reply back = call("DELETE", PM + "/release/" + r.json().get("port").asInt(), null,
                "application/json");
        assertEquals(200, back.status(), back.toString());
        if (snapshot().equals(baseline)) {
            return;
        }
        fail("release did not restore the allocations:\n" + snapshot());
    }
}
