package dev.portmanager.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.portmanager.cli.Launcher;
import dev.portmanager.cli.Sidecar;
import dev.portmanager.testing.Jdk;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a web page (or anyone off loopback) can and cannot make the sidecar do, against a real {@code serve}
 * child: requests a browser sends without a preflight, foreign Host and Origin headers, CORS only when
 * configured, TLS with PEM files and with a key store, the token on reads off loopback.
 */
class SidecarExposureTest {
    private static final String PM = "/api/v1/port-management";
    private static final String DISCOVERY = "/api/v1/discovery";
    private static final String TOKEN = "exposure-test-token-0123456789";
    private static final String ALLOCATE = "{\"service\":\"web-page\",\"type\":\"testing\"}";

    @TempDir
    static Path dir;
    static Sidecar sidecar;
    static TestCertificate cert;

    @BeforeAll
    static void start() throws Exception {
        cert = TestCertificate.create(dir.resolve("cert"));
        sidecar = Sidecar.start(new Launcher(dir.resolve("plain")), List.of(),
                List.of("--allow-host", "pm.internal", "--allow-origin", "https://dashboard.example"));
    }

    @AfterAll
    static void stop() {
        if (sidecar != null) {
            sidecar.close();
        }
    }

    private static int allocationCount() {
        Http.Reply r = Http.get(sidecar.uri(PM + "/allocations"));
        assertEquals(200, r.status(), r.toString());
        return r.json().size();
    }

    private static void assertError(Http.Reply r, int status, String error) {
        assertEquals(status, r.status(), r.toString());
        assertEquals(error, r.json().get("error").asText(), r.toString());
    }

    @Test
    void aPostWithoutJsonContentTypeIsRefusedAndCreatesNothing() {
        int before = allocationCount();
        // fetch(url, {method: 'POST', body: new Blob([json])}) sends no Content-Type and needs no preflight.
        assertError(Http.send("POST", sidecar.uri(PM + "/allocate"), ALLOCATE, null), 415, "unsupported_media_type");
        assertError(Http.send("POST", sidecar.uri(PM + "/allocate"), ALLOCATE, "text/plain"), 415,
                "unsupported_media_type");
        assertEquals(before, allocationCount(), "nothing was created");
        // A DELETE without it is refused as well, before anything is released.
        int port = Http.post(sidecar.uri(PM + "/allocate"), ALLOCATE).json().get("port").asInt();
        assertError(Http.send("DELETE", sidecar.uri(PM + "/release/" + port), null, null), 415,
                "unsupported_media_type");
        assertEquals(before + 1, allocationCount());
        assertEquals(200, Http.delete(sidecar.uri(PM + "/release/" + port)).status());
    }

    @Test
    void aFormPostCannotRunRefresh() {
        assertError(Http.send("POST", sidecar.uri(DISCOVERY + "/services/refresh"), "a=b",
                "application/x-www-form-urlencoded"), 415, "unsupported_media_type");
        assertError(Http.send("POST", sidecar.uri(DISCOVERY + "/services/refresh"), null, null), 415,
                "unsupported_media_type");
        assertEquals(200, Http.post(sidecar.uri(DISCOVERY + "/services/refresh"), null).status());
    }

    @Test
    void aForeignHostIsRefusedForReadsToo() {
        URI base = sidecar.url();
        int port = base.getPort();
        // DNS rebinding: the page's own name, now resolving to 127.0.0.1, arrives as Host.
        for (String host : List.of("evil.example", "evil.example:" + port, "127.0.0.1.evil.example",
                "localhost.evil.example", "10.1.2.3")) {
            assertEquals(421, Http.raw(base, "GET " + PM + "/allocations HTTP/1.1\r\nHost: " + host + "\r\n\r\n"),
                    host);
            assertEquals(421, Http.raw(base, "GET /health HTTP/1.1\r\nHost: " + host + "\r\n\r\n"), host);
            assertEquals(421, Http.raw(base, "GET / HTTP/1.1\r\nHost: " + host + "\r\n\r\n"), "dashboard " + host);
            assertEquals(421, Http.raw(base, "GET /metrics HTTP/1.1\r\nHost: " + host + "\r\n\r\n"), host);
            assertEquals(421, Http.raw(base, "POST " + PM + "/allocate HTTP/1.1\r\nHost: " + host
                    + "\r\nContent-Type: application/json\r\nContent-Length: " + ALLOCATE.length() + "\r\n\r\n"
                    + ALLOCATE), host);
        }
        assertEquals(421, Http.raw(base, "GET /health HTTP/1.0\r\n\r\n"), "no Host at all");
        for (String host : List.of("127.0.0.1:" + port, "localhost:" + port, "LOCALHOST", "127.0.0.2", "[::1]:" + port,
                "pm.internal", "pm.internal:" + port)) {
            assertEquals(200, Http.raw(base, "GET /health HTTP/1.1\r\nHost: " + host + "\r\n\r\n"), host);
        }
    }

    @Test
    void aForeignOriginIsRefused() {
        int before = allocationCount();
        Http.Reply post = Http.send("POST", sidecar.uri(PM + "/allocate"), ALLOCATE, "application/json",
                "Origin", "http://evil.example");
        assertError(post, 403, "forbidden_origin");
        assertNull(post.header("Access-Control-Allow-Origin"), "no CORS for an origin nobody configured");
        assertEquals(before, allocationCount(), "nothing was created");
        assertError(Http.send("GET", sidecar.uri(PM + "/allocations"), null, null, "Origin", "null"), 403,
                "forbidden_origin");
        // A no-cors read (<script src>) carries no Origin, but the browser says it is cross-site.
        assertError(Http.send("GET", sidecar.uri(PM + "/allocations"), null, null, "Sec-Fetch-Site", "cross-site"),
                403, "forbidden_origin");
        // The sidecar's own origin is not foreign.
        Http.Reply same = Http.send("GET", sidecar.uri("/health"), null, null, "Origin", sidecar.url().toString());
        assertEquals(200, same.status(), same.toString());
        assertNull(same.header("Access-Control-Allow-Origin"));
    }

    @Test
    void corsOnlyForTheConfiguredOrigin() {
        String dashboard = "https://dashboard.example";
        Http.Reply preflight = Http.send("OPTIONS", sidecar.uri(PM + "/allocate"), null, null, "Origin", dashboard,
                "Access-Control-Request-Method", "POST", "Access-Control-Request-Headers", "content-type");
        assertEquals(204, preflight.status(), preflight.toString());
        assertEquals(dashboard, preflight.header("Access-Control-Allow-Origin"));
        assertTrue(preflight.header("Access-Control-Allow-Methods").contains("POST"), preflight.toString());
        Http.Reply read = Http.send("GET", sidecar.uri("/health"), null, null, "Origin", dashboard);
        assertEquals(200, read.status(), read.toString());
        assertEquals(dashboard, read.header("Access-Control-Allow-Origin"));

        Http.Reply other = Http.send("OPTIONS", sidecar.uri(PM + "/allocate"), null, null, "Origin",
                "https://other.example", "Access-Control-Request-Method", "POST");
        assertError(other, 403, "forbidden_origin");
        assertNull(other.header("Access-Control-Allow-Origin"));
        Http.Reply plain = Http.get(sidecar.uri("/health"));
        assertNull(plain.header("Access-Control-Allow-Origin"), "no CORS headers without an Origin");
    }

    @Test
    void tlsWithPemFilesAndTheTokenOverIt() throws Exception {
        Launcher l = new Launcher(dir.resolve("tls-pem")).env("PORTMANAGER_TOKEN", TOKEN);
        try (Sidecar s = Sidecar.start(l, List.of(), List.of("--tls-cert", cert.certPem.toString(),
                "--tls-key", cert.keyPem.toString()))) {
            assertEquals("https", s.url().getScheme(), s.url().toString());
            HttpClient client = cert.client();
            Http.Reply health = Http.send(client, "GET", s.uri("/health"), null, null);
            assertEquals(200, health.status(), health.toString());
            assertEquals(401, Http.send(client, "POST", s.uri(PM + "/allocate"), ALLOCATE, "application/json")
                    .status());
            Http.Reply created = Http.send(client, "POST", s.uri(PM + "/allocate"), ALLOCATE, "application/json",
                    "Authorization", "Bearer " + TOKEN);
            assertEquals(201, created.status(), created.toString());
        }
    }

    @Test
    void tlsWithAKeyStoreOffLoopbackGuardsReads() throws Exception {
        Launcher l = new Launcher(dir.resolve("tls-ks")).env("PORTMANAGER_TOKEN", TOKEN)
                .env("PORTMANAGER_TLS_PASSWORD", TestCertificate.PASSWORD);
        try (Sidecar s = Sidecar.start(l, List.of(), List.of("--bind", "0.0.0.0", "--tls-keystore",
                cert.keyStore.toString()))) {
            URI base = URI.create("https://127.0.0.1:" + s.url().getPort());
            HttpClient client = cert.client();
            for (String path : List.of("/health", PM + "/allocations", DISCOVERY + "/services", "/", "/metrics")) {
                Http.Reply r = Http.send(client, "GET", URI.create(base + path), null, null);
                assertError(r, 401, "unauthorized");
            }
            Http.Reply ok = Http.send(client, "GET", URI.create(base + "/health"), null, null,
                    "Authorization", "Bearer " + TOKEN);
            assertEquals(200, ok.status(), ok.toString());
        }
    }

    @Test
    void badTlsMaterialIsAUsageError() throws Exception {
        Path bogus = dir.resolve("bogus.pem");
        java.nio.file.Files.writeString(bogus, "not a certificate\n");
        Launcher l = new Launcher(dir.resolve("tls-bad"));
        Launcher.Result r = l.run("serve", "--port", "0", "--tls-cert", bogus.toString(), "--tls-key",
                bogus.toString());
        assertEquals(2, r.exit(), r.toString());
        assertTrue(r.err().contains("--tls-cert") && r.err().contains("PKCS#8"), r.toString());
        Launcher.Result half = l.run("serve", "--port", "0", "--tls-cert", bogus.toString());
        assertEquals(2, half.exit(), half.toString());
        assertTrue(half.err().contains("go together"), half.toString());
    }

    /** 64 connections that never finish their headers must not stall /health, on JDK 17 and on JDK 25. */
    @Test
    void slowHeaderClientsDoNotStallHealthOnJdk17() throws Exception {
        slowHeadersLeaveRoom(17);
    }

    @Test
    void slowHeaderClientsDoNotStallHealthOnJdk25() throws Exception {
        slowHeadersLeaveRoom(25);
    }

    /**
     * A launcher whose script runs JDK {@code feature}'s java (it uses $JAVA_HOME/bin/java), named by the same
     * properties as the agent's tests ({@link Jdk}): a missing JDK skips the case visibly, or fails it in CI.
     */
    private static Launcher onJdk(String name, int feature) {
        return new Launcher(dir.resolve(name + "-jdk" + feature)).env("JAVA_HOME", Jdk.home(feature).toString());
    }

    /** The sidecar's JVM is the named JDK's java, not whatever runs the build. */
    private static void assertRunsOn(Sidecar s, int feature) throws Exception {
        Path expected = Jdk.home(feature).resolve("bin/java").toRealPath();
        Path exe = Path.of("/proc", Long.toString(s.child().process().pid()), "exe").toRealPath();
        assertEquals(expected, exe, "the sidecar runs on JDK " + feature);
    }

    /**
     * The header-read timeout itself, at the sidecar's own setting (10 s, nothing raised): connections that send
     * half a request line and stall are closed by the sidecar, without an answer, while /health keeps answering.
     */
    @Test
    void halfRequestLinesAreClosedByTheReadTimeoutOnJdk17() throws Exception {
        halfRequestLinesAreClosed(17);
    }

    @Test
    void halfRequestLinesAreClosedByTheReadTimeoutOnJdk25() throws Exception {
        halfRequestLinesAreClosed(25);
    }

    private void halfRequestLinesAreClosed(int feature) throws Exception {
        Launcher l = onJdk("stall", feature);
        try (Sidecar s = Sidecar.start(l, List.of(), List.of())) {
            assertRunsOn(s, feature);
            List<Socket> stalled = new ArrayList<>();
            try {
                for (int i = 0; i < 32; i++) {
                    Socket sock = new Socket(s.url().getHost(), s.url().getPort());
                    sock.getOutputStream().write("GET /hea".getBytes(StandardCharsets.ISO_8859_1));
                    sock.getOutputStream().flush();
                    stalled.add(sock);
                }
                // Still open: a half request line is no reason to hang up by itself, only the timeout is.
                Socket first = stalled.get(0);
                first.setSoTimeout(300);
                assertThrows(java.net.SocketTimeoutException.class, () -> first.getInputStream().read(),
                        "the stalled connection was answered or closed at once");
                for (int i = 0; i < 3; i++) {
                    Http.Reply r = Http.get(s.uri("/health"));
                    assertEquals(200, r.status(), r.toString());
                }
                // Each is closed by the sidecar (end of stream, or a reset), with not one byte of answer. The
                // deadline bounds a hang: the timeout is 10 s, the check runs every second.
                for (Socket sock : stalled) {
                    sock.setSoTimeout(60_000);
                    int read;
                    try {
                        read = sock.getInputStream().read();
                    } catch (java.net.SocketException reset) {
                        read = -1;
                    }
                    assertEquals(-1, read, "a stalled connection got an answer instead of being closed");
                }
                Http.Reply after = Http.get(s.uri("/health"));
                assertEquals(200, after.status(), after.toString());
            } finally {
                for (Socket sock : stalled) {
                    sock.close();
                }
            }
        }
    }

    private void slowHeadersLeaveRoom(int feature) throws Exception {
        // The request-read timeout is raised far beyond the wait below, so it cannot be what frees /health.
        Launcher l = onJdk("slow", feature)
                .env("PORTMANAGER_JAVA_OPTS", "-XX:TieredStopAtLevel=1 -Xshare:auto "
                        + "-Dsun.net.httpserver.maxReqTime=300");
        try (Sidecar s = Sidecar.start(l, List.of(), List.of())) {
            assertRunsOn(s, feature);
            List<Socket> slow = new ArrayList<>();
            try {
                for (int i = 0; i < 64; i++) {
                    Socket sock = new Socket(s.url().getHost(), s.url().getPort());
                    OutputStream out = sock.getOutputStream();
                    out.write(("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow-" + i + ": ")
                            .getBytes(StandardCharsets.ISO_8859_1));
                    out.flush();
                    slow.add(sock);
                }
                for (int i = 0; i < 3; i++) {
                    // Http's client gives up after 20 s: generous, yet far below the 300 s the slow ones may hold.
                    Http.Reply r = Http.get(s.uri("/health"));
                    assertEquals(200, r.status(), r.toString());
                    JsonNode j = r.json();
                    assertEquals("UP", j.get("status").asText());
                }
            } finally {
                for (Socket sock : slow) {
                    sock.close();
                }
            }
        }
    }
}
