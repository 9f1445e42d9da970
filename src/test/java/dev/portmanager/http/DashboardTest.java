package dev.portmanager.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.portmanager.cli.ChildProcess;
import dev.portmanager.cli.Launcher;
import dev.portmanager.cli.Sidecar;
import dev.portmanager.testing.PortBlock;
import dev.portmanager.testing.PythonHttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The dashboard in a real headless Chromium, driven over the DevTools protocol: it shows the allocations the
 * test made, then, without a reload, services started afterwards; a screenshot is saved to
 * {@code target/dashboard.png} (README's docs/dashboard.png is a copy of it).
 *
 * <p>The scene is the test's alone, so the screenshot is the same on every machine: every range is moved into a
 * block of ports that nothing on this host listens on, the host is named {@code demo-host}, and the one conflict
 * is deliberate (a python3 http.server listens on the first ml port without an allocation), which also makes the ml service
 * that prefers that port move.
 */
class DashboardTest {
    static final String PM = "/api/v1/port-management";
    private static final String DEVTOOLS = "DevTools listening on ";

    @TempDir
    Path dir;
    Launcher launcher;
    Sidecar sidecar;
    final List<ChildProcess> children = new ArrayList<>();

    /** Ports per range, in the defaults' order; the two the scene uses get more room. */
    static final Map<String, Integer> RANGE_SIZES = new java.util.LinkedHashMap<>();

    static {
        for (String type : List.of("database", "cache", "monitoring", "gateway", "microservice")) {
            RANGE_SIZES.put(type, 2);
        }
        RANGE_SIZES.put("ml", 8);
        RANGE_SIZES.put("bridge", 2);
        RANGE_SIZES.put("development", 2);
        RANGE_SIZES.put("testing", 8);
        RANGE_SIZES.put("dynamic", 2);
    }

    int mlStart;

    @BeforeEach
    void start() throws Exception {
        int total = RANGE_SIZES.values().stream().mapToInt(Integer::intValue).sum();
        // From this JVM's own block (PortBlock): random ports could be another build's, whose tests bind them.
        int base = PortBlock.take(total);
        StringBuilder config = new StringBuilder("host: demo-host\nranges:\n");
        int next = base;
        for (Map.Entry<String, Integer> r : RANGE_SIZES.entrySet()) {
            config.append("  ").append(r.getKey()).append(": { start: ").append(next).append(", end: ")
                    .append(next + r.getValue() - 1).append(" }\n");
            if (r.getKey().equals("ml")) {
                mlStart = next;
            }
            next += r.getValue();
        }
        Path file = Files.writeString(dir.resolve("portmanager.yaml"), config.toString());
        launcher = new Launcher(dir).env("PORTMANAGER_CONFIG", file.toString());
        // the deliberate conflict: a listener in the ml range that no allocation covers
        ChildProcess squatter = new ChildProcess(new ProcessBuilder(PythonHttpServer.command(mlStart, dir)));
        children.add(squatter);
        awaitListening(mlStart);
        sidecar = Sidecar.start(launcher, List.of(), List.of());
    }

    private static void awaitListening(int port) throws InterruptedException {
        long end = System.currentTimeMillis() + 60_000;
        while (true) {
            try (java.net.Socket s = new java.net.Socket(InetAddress.getLoopbackAddress(), port)) {
                return;
            } catch (IOException e) {
                if (System.currentTimeMillis() > end) {
                    throw new AssertionError("the squatter never listened on " + port);
                }
                Thread.sleep(100);
            }
        }
    }

    @AfterEach
    void stop() {
        for (int i = children.size() - 1; i >= 0; i--) {
            children.get(i).close();
        }
        if (sidecar != null) {
            sidecar.close();
        }
    }

    private static String chromium() {
        for (String p : List.of("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")) {
            if (new File(p).canExecute()) {
                return p;
            }
        }
        return null;
    }

    @Test
    void showsAllocationsAndUpdatesLiveWhenAServiceStarts() throws Exception {
        String chromium = chromium();
        assumeTrue(chromium != null, "chromium is not installed (Debian package chromium; .ci/run installs it)");
        // offline and under the API's rules: nothing loaded from elsewhere, and the browser is told so
        Http.Reply served = Http.get(sidecar.uri("/"));
        assertEquals(200, served.status(), served.toString());
        assertEquals("default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; "
                + "frame-ancestors 'none'", served.header("Content-Security-Policy"));
        assertFalse(java.util.regex.Pattern.compile("(src|href|url)\\s*[=(]\\s*[\"']?(https?:)?//")
                .matcher(served.body()).find(), "no external asset in the page");
        Http.Reply reserved = Http.post(sidecar.uri(PM + "/allocate"), "{\"service\":\"reserved-one\",\"type\":\"testing\"}");
        assertEquals(201, reserved.status(), reserved.toString());
        int reservedPort = reserved.json().get("port").asInt();

        ProcessBuilder chrome = new ProcessBuilder(chromium, "--headless", "--no-sandbox",
                "--disable-gpu", "--no-first-run", "--remote-debugging-address=127.0.0.1",
                "--remote-debugging-port=0", "--user-data-dir=" + dir.resolve("chromium"), "--window-size=1200,1500",
                "about:blank");
        // Its singleton socket directory goes under TMPDIR: keep it inside the test's directory.
        chrome.environment().put("TMPDIR", Files.createDirectories(dir.resolve("tmp")).toString());
        ChildProcess browser = new ChildProcess(chrome);
        children.add(browser);
        String line = browser.awaitLine(l -> l.contains(DEVTOOLS), 30_000);
        URI browserWs = URI.create(line.substring(line.indexOf(DEVTOOLS) + DEVTOOLS.length()).trim());
        URI list = URI.create("http://" + browserWs.getAuthority() + "/json/list");
        JsonNode pages = Http.get(list).json();
        String pageWs = null;
        for (JsonNode p : pages) {
            if (p.get("type").asText().equals("page")) {
                pageWs = p.get("webSocketDebuggerUrl").asText();
            }
        }
        assertTrue(pageWs != null, pages.toString());

        try (DevTools page = DevTools.connect(URI.create(pageWs))) {
            page.call("Page.navigate", Map.of("url", sidecar.url() + "/"));
            String text = awaitText(page, t -> t.contains("reserved-one") && t.contains(String.valueOf(reservedPort))
                    && t.contains("live"));
            assertTrue(text.contains("Ranges") && text.contains("testing"), text);
            Object navigations = page.evaluate("performance.getEntriesByType('navigation').length");

            List<String> later = new ArrayList<>(List.of("run", "--service", "started-later", "--type", "testing",
                    "--"));
            later.addAll(PythonHttpServer.command("{port}", dir));
            children.add(new ChildProcess(launcher.builder(later)));
            // prefers the squatter's port: it moves to the next one of the ml range
            List<String> emotion = new ArrayList<>(List.of("run", "--service", "emotion", "--type", "ml",
                    "--preferred", String.valueOf(mlStart), "--"));
            emotion.addAll(PythonHttpServer.command("{port}", dir));
            children.add(new ChildProcess(launcher.builder(emotion)));
            text = awaitText(page, t -> t.contains("started-later") && t.contains("emotion")
                    && !t.contains("no moves") && t.split("UP", -1).length - 1 >= 2);
            assertEquals("[\"emotion\",\"" + mlStart + "\",\"" + (mlStart + 1) + "\"]",
                    String.valueOf(page.evaluate("JSON.stringify([...document.querySelectorAll('#moves tbody tr')]"
                            + ".map(r => [...r.cells].slice(0, 3).map(c => c.innerText)).flat())")),
                    "the one move, requested -> actual: " + text);
            assertEquals("[\"SQUATTER\",\"" + mlStart + "\"]",
                    String.valueOf(page.evaluate("JSON.stringify([...document.querySelectorAll('#conflicts tbody tr')]"
                            + ".map(r => [...r.cells].slice(0, 2).map(c => c.innerText)).flat())")),
                    "the one, deliberate conflict: " + text);
            assertEquals(navigations, page.evaluate("performance.getEntriesByType('navigation').length"),
                    "updated without a reload");
            assertEquals("1", String.valueOf(page.evaluate("performance.getEntriesByType('navigation').length")));

            String png = page.call("Page.captureScreenshot", Map.of("format", "png")).get("data").asText();
            Path shot = Path.of("target", "dashboard.png");
            Files.write(shot, Base64.getDecoder().decode(png));
            assertTrue(Files.size(shot) > 1000, "screenshot written to " + shot.toAbsolutePath());
        }
    }

    private static String awaitText(DevTools page, java.util.function.Predicate<String> p) throws Exception {
        long end = System.currentTimeMillis() + 90_000; // a bound on a hang: JVMs start slowly on a loaded machine
        String text = "";
        while (System.currentTimeMillis() < end) {
            text = String.valueOf(page.evaluate("document.body ? document.body.innerText : ''"));
            if (p.test(text)) {
                return text;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the page never showed what was expected; it shows:\n" + text);
    }

    /** A minimal DevTools protocol client: JSON commands over the JDK's WebSocket, answers matched by id. */
    static final class DevTools implements AutoCloseable {
        private final WebSocket socket;
        private final AtomicInteger ids = new AtomicInteger();
        private final Map<Integer, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();

        private DevTools(WebSocket socket) {
            this.socket = socket;
        }

        static DevTools connect(URI ws) throws Exception {
            DevTools[] self = new DevTools[1];
            StringBuilder partial = new StringBuilder();
            WebSocket s = HttpClient.newBuilder().proxy(HttpClient.Builder.NO_PROXY).build().newWebSocketBuilder()
                    .connectTimeout(Duration.ofSeconds(10)).buildAsync(ws, new WebSocket.Listener() {
                        @Override
                        public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
                            partial.append(data);
                            if (last) {
                                self[0].received(partial.toString());
                                partial.setLength(0);
                            }
                            w.request(1);
                            return null;
                        }
                    }).get(10, TimeUnit.SECONDS);
            self[0] = new DevTools(s);
            return self[0];
        }

        private void received(String message) {
            try {
                JsonNode m = Http.JSON.readTree(message);
                if (m.has("id")) {
                    CompletableFuture<JsonNode> f = pending.remove(m.get("id").asInt());
                    if (f != null) {
                        f.complete(m);
                    }
                }
            } catch (Exception e) {
                // not a reply to us
            }
        }

        JsonNode call(String method, Map<String, Object> params) throws Exception {
            int id = ids.incrementAndGet();
            CompletableFuture<JsonNode> reply = new CompletableFuture<>();
            pending.put(id, reply);
            ObjectNode msg = Http.JSON.createObjectNode();
            msg.put("id", id);
            msg.put("method", method);
            msg.set("params", Http.JSON.valueToTree(params));
            socket.sendText(Http.JSON.writeValueAsString(msg), true).get(10, TimeUnit.SECONDS);
            JsonNode m = reply.get(30, TimeUnit.SECONDS);
            if (m.has("error")) {
                throw new AssertionError(method + " failed: " + m.get("error"));
            }
            return m.get("result");
        }

        Object evaluate(String expression) throws Exception {
            JsonNode r = call("Runtime.evaluate", Map.of("expression", expression, "returnByValue", true));
            JsonNode v = r.get("result").get("value");
            return v == null ? null : v.isTextual() ? v.asText() : v.toString();
        }

        @Override
        public void close() {
            socket.abort();
        }
    }
}
