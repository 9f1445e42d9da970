package dev.portmanager.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code portmanager export} against the real programs: Debian's nginx and haproxy check the output, and a real
 * nginx (loopback only, its own prefix, pid and log files in the test's directory) proxies to a service that
 * moved off its preferred port, following {@code export --watch --reload}.
 */
class LoadBalancerExportTest extends LauncherTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient CLIENT = HttpClient.newBuilder().proxy(HttpClient.Builder.NO_PROXY)
            .connectTimeout(Duration.ofSeconds(5)).build();

    final List<ChildProcess> children = new ArrayList<>();

    @AfterEach
    void tearDown() {
        // nginx first: its reload command is run by the export child
        for (int i = children.size() - 1; i >= 0; i--) {
            children.get(i).close();
        }
    }

    private static String tool(String name) {
        for (String d : List.of("/usr/sbin", "/usr/bin", "/sbin", "/bin")) {
            if (new File(d, name).canExecute()) {
                return d + "/" + name;
            }
        }
        return null;
    }

    private ChildProcess child(ProcessBuilder b) {
        ChildProcess c = new ChildProcess(b);
        children.add(c);
        return c;
    }

    private ChildProcess runService(String service, Integer preferred, Path docroot) {
        List<String> args = new ArrayList<>(List.of("run", "--service", service, "--type", "testing"));
        if (preferred != null) {
            args.addAll(List.of("--preferred", preferred.toString()));
        }
        args.addAll(List.of("--", "python3", "-m", "http.server", "{port}", "--bind", "127.0.0.1",
                "--directory", docroot.toString()));
        return child(pm.builder(args));
    }

    private List<JsonNode> awaitListening(String service, int n) throws Exception {
        long end = System.currentTimeMillis() + 60_000; // JVM start-ups on a loaded 2-core host
        List<JsonNode> found = new ArrayList<>();
        while (System.currentTimeMillis() < end) {
            found.clear();
            Launcher.Result r = pm.run("allocations", "--json");
            for (JsonNode a : JSON.readTree(r.out())) {
                if (a.get("service").asText().equals(service) && a.get("state").asText().equals("LISTENING")) {
                    found.add(a);
                }
            }
            if (found.size() >= n) {
                return found;
            }
            Thread.sleep(100);
        }
        StringBuilder outputs = new StringBuilder();
        children.forEach(c -> outputs.append("\n--- child:\n").append(c.output()));
        throw new AssertionError(n + " listening instance(s) of " + service + " expected, found " + found + outputs);
    }

    private static int exec(Path log, String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", cmd) + " did not finish");
        }
        return p.exitValue();
    }

    private Path docroot(String name, String marker) throws Exception {
        Path d = Files.createDirectories(dir.resolve(name));
        Files.writeString(d.resolve("index.html"), marker);
        return d;
    }

    /** A minimal nginx.conf: everything under {@code prefix}, listening on loopback only. */
    private static String nginxConf(Path prefix, Path upstreams, int listen) {
        String p = prefix.toString();
        return String.join("\n",
                "worker_processes 1;",
                "daemon off;",
                "user root root;",
                "pid " + p + "/nginx.pid;",
                "error_log " + p + "/error.log;",
                "events { worker_connections 64; }",
                "http {",
                "  access_log off;",
                "  client_body_temp_path " + p + "/body; proxy_temp_path " + p + "/proxy;",
                "  fastcgi_temp_path " + p + "/fastcgi; uwsgi_temp_path " + p + "/uwsgi; scgi_temp_path " + p + "/scgi;",
                "  include " + upstreams + ";",
                "  server {",
                "    listen 127.0.0.1:" + listen + ";",
                "    location / { proxy_pass http://portmanager_web; }",
                "  }",
                "}", "");
    }

    @Test
    void nginxAndHaproxyAcceptTheExport() throws Exception {
        String nginx = tool("nginx");
        String haproxy = tool("haproxy");
        assumeTrue(nginx != null, "nginx is not installed (Debian package nginx; .ci/run installs it)");
        assumeTrue(haproxy != null, "haproxy is not installed (Debian package haproxy; .ci/run installs it)");
        Path root = docroot("www", "hello");
        runService("web", null, root);
        runService("web", null, root);
        runService("api.v2", null, root);
        List<JsonNode> web = awaitListening("web", 2);
        awaitListening("api.v2", 1);

        Path upstreams = dir.resolve("upstreams.conf");
        Launcher.Result r = pm.run("export", "nginx", "--out", upstreams.toString());
        assertEquals(0, r.exit(), r.toString());
        String text = Files.readString(upstreams);
        for (JsonNode a : web) {
            assertTrue(text.contains(":" + a.get("port").asInt() + "; # host "), text);
        }
        assertTrue(text.contains("upstream portmanager_api_v2 {"), text);
        Path prefix = Files.createDirectories(dir.resolve("nginx"));
        Path conf = prefix.resolve("nginx.conf");
        Files.writeString(conf, nginxConf(prefix, upstreams, 1));
        Path log = dir.resolve("check.log");
        assertEquals(0, exec(log, nginx, "-t", "-p", prefix.toString(), "-e", prefix + "/error.log",
                "-c", conf.toString()), Files.readString(log));

        Path backends = dir.resolve("backends.cfg");
        r = pm.run("export", "haproxy", "--out", backends.toString());
        assertEquals(0, r.exit(), r.toString());
        assertTrue(Files.readString(backends).contains("backend portmanager_web"), Files.readString(backends));
        Path base = dir.resolve("haproxy.cfg");
        Files.writeString(base, String.join("\n", "global", "  maxconn 64", "defaults", "  mode http",
                "  timeout connect 5s", "  timeout client 5s", "  timeout server 5s", "frontend fe",
                "  bind 127.0.0.1:1", "  default_backend portmanager_web", ""));
        assertEquals(0, exec(log, haproxy, "-c", "-f", base.toString(), "-f", backends.toString()),
                Files.readString(log));

        r = pm.run("export", "json", "--service", "web");
        assertEquals(0, r.exit(), r.toString());
        assertEquals(2, JSON.readTree(r.out()).get("services").get("web").size(), r.out());
        assertEquals(2, pm.run("export", "xml").exit(), "an unknown format is a usage error");
        assertEquals(2, pm.run("export", "nginx", "--watch").exit(), "--watch needs --out");
    }

    @Test
    void nginxProxiesToAServiceOnceItMoves() throws Exception {
        String nginx = tool("nginx");
        assumeTrue(nginx != null, "nginx is not installed (Debian package nginx; .ci/run installs it)");
        Path prefix = Files.createDirectories(dir.resolve("nginx"));
        Path upstreams = prefix.resolve("upstreams.conf");
        Path conf = prefix.resolve("nginx.conf");
        String signal = nginx + " -p " + prefix + " -e " + prefix + "/error.log -c " + conf + " -s reload";
        try (ServerSocket squatter = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int preferred = squatter.getLocalPort();
            // The watcher writes the upstream (a down placeholder while web has no instance), then nginx starts.
            ChildProcess export = child(pm.builder(List.of("export", "nginx", "--service", "web", "--watch",
                    "--out", upstreams.toString(), "--reload", "test -f " + prefix + "/nginx.pid && " + signal
                            + " || true")));
            long end = System.currentTimeMillis() + 30_000;
            while (!Files.exists(upstreams) && System.currentTimeMillis() < end) {
                Thread.sleep(50);
            }
            assertTrue(Files.exists(upstreams), "export --watch wrote nothing:\n" + export.output());
            int listen = startNginx(nginx, prefix, conf, upstreams);
            URI front = URI.create("http://127.0.0.1:" + listen + "/");
            assertEquals(502, get(front).statusCode(), "no instance yet: the down placeholder answers 502");

            runService("web", preferred, docroot("moved", "served-by-the-moved-instance"));
            JsonNode a = awaitListening("web", 1).get(0);
            assertEquals(preferred, a.get("requestedPort").asInt());
            assertNotEquals(preferred, a.get("port").asInt(), "the squatter holds the preferred port: it moved");

            HttpResponse<String> last = null;
            end = System.currentTimeMillis() + 30_000;
            while (System.currentTimeMillis() < end) {
                last = get(front);
                if (last.statusCode() == 200) {
                    break;
                }
                Thread.sleep(100);
            }
            assertEquals(200, last.statusCode(), "nginx did not follow the move; upstreams:\n"
                    + Files.readString(upstreams) + "\nexport:\n" + export.output());
            assertEquals("served-by-the-moved-instance", last.body());
            assertTrue(Files.readString(upstreams).contains(":" + a.get("port").asInt() + "; # host "));
        }
    }

    /** Starts nginx on a free loopback port (retrying if another process takes it first); returns the port. */
    private int startNginx(String nginx, Path prefix, Path conf, Path upstreams) throws Exception {
        for (int attempt = 0; attempt < 3; attempt++) {
            int port;
            try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                port = s.getLocalPort();
            }
            Files.writeString(conf, nginxConf(prefix, upstreams, port));
            ChildProcess n = child(new ProcessBuilder(nginx, "-p", prefix.toString(), "-e", prefix + "/error.log",
                    "-c", conf.toString()));
            long end = System.currentTimeMillis() + 15_000;
            while (System.currentTimeMillis() < end && n.process().isAlive()) {
                try (java.net.Socket probe = new java.net.Socket(InetAddress.getLoopbackAddress(), port)) {
                    if (Files.exists(prefix.resolve("nginx.pid"))) {
                        return port;
                    }
                } catch (java.io.IOException notYet) {
                    // not listening yet
                }
                Thread.sleep(50);
            }
            n.close();
        }
        throw new AssertionError("nginx did not start: " + Files.readString(prefix.resolve("error.log")));
    }

    private static HttpResponse<String> get(URI uri) throws Exception {
        return CLIENT.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
