package dev.portmanager.samples.fleet;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.portmanager.Endpoint;
import dev.portmanager.discovery.DiscoveryClient;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;

/**
 * go-api-gateway: the front door, JDK HttpServer on its hardcoded 8081. The one member of the fleet that was
 * migrated: it used to keep a list of {@code http://localhost:80xx} URLs and now asks discovery for each backend
 * by name on every request, so it follows them wherever they moved.
 */
public final class GoApiGateway {
    private static final int PORT = 8081;

    /** Route prefix to backend service name: names only, no ports anywhere. */
    public static final Map<String, String> ROUTES = new LinkedHashMap<>();

    static {
        ROUTES.put("/vision", "python-vision");
        ROUTES.put("/hrm", "hrm-mlx-service");
        ROUTES.put("/emotion", "emotion");
        ROUTES.put("/voice", "voice");
        ROUTES.put("/chat", "rust-ai-core");
        ROUTES.put("/llm", "rust-llm-router");
        ROUTES.put("/bridge", "rust-vision-bridge");
    }

    public static void main(String[] args) throws IOException {
        DiscoveryClient discovery = DiscoveryClient.create();
        HttpServer server = HttpServer.create(new InetSocketAddress(PORT), 0);
        int port = server.getAddress().getPort();
        server.createContext("/", exchange -> {
            try (exchange) {
                route(discovery, port, exchange);
            } catch (RuntimeException | Error e) {
                // HttpServer would drop the connection without a word: answer, and leave a trace in our log.
                e.printStackTrace();
                send(exchange, 500, "go-api-gateway failed: " + e);
            }
        });
        server.setExecutor(Executors.newFixedThreadPool(4));
        server.start();
        System.out.println("go-api-gateway listening on " + port);
    }

    private static void route(DiscoveryClient discovery, int port, HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        if (path.equals("/")) {
            send(exchange, 200, RawHttp.hello("go-api-gateway", "JDK HttpServer", port) + "; routes " + ROUTES);
            return;
        }
        String service = ROUTES.get(path);
        if (service == null) {
            send(exchange, 404, "no route for " + path + "; routes " + ROUTES.keySet());
            return;
        }
        Optional<Endpoint> target = discovery.pickHealthy(service);
        if (target.isEmpty()) {
            send(exchange, 503, "no live instance of " + service);
            return;
        }
        String authority = target.get().authority();
        try {
            send(exchange, 200, "go-api-gateway -> " + service + " at " + authority + ": " + get("http://" + authority + "/"));
        } catch (IOException e) {
            send(exchange, 502, service + " at " + authority + " failed: " + e);
        }
    }

    private static String get(String url) throws IOException {
        HttpURLConnection c = (HttpURLConnection) new URL(url).openConnection();
        c.setConnectTimeout(2000);
        c.setReadTimeout(5000);
        try (InputStream in = c.getInputStream()) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
        } finally {
            c.disconnect();
        }
    }

    private static void send(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = (body + "\n").getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}
