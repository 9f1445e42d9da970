package dev.portmanager.samples.fleet;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.portmanager.samples.fleet.gateway.Backend;
import dev.portmanager.samples.fleet.gateway.services.ServiceClient;
import dev.portmanager.samples.fleet.gateway.voice.VoiceHandler;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Executors;

/**
 * go-api-gateway: the front door, JDK HttpServer on its hardcoded 8081. As legacy as the rest of the fleet: every
 * backend is a hardcoded {@code http://localhost:PORT} (the design's list), and nothing here knows PortManager.
 * Run under the agent, its connects follow the services that moved; the voice handler, which dials the 8085 that
 * hrm-mlx-service keeps, needs the one route {@code routes=8085@dev.portmanager.samples.fleet.gateway.voice=voice}.
 */
public final class GoApiGateway {
    private static final int PORT = 8081;

    /** Route prefix to the backend that serves it. */
    public static final Map<String, Backend> ROUTES;

    static {
        Map<String, Backend> routes = new LinkedHashMap<>();
        routes.put("/vision", ServiceClient.VISION);
        routes.put("/hrm", ServiceClient.HRM);
        routes.put("/emotion", ServiceClient.EMOTION);
        routes.put("/voice", new VoiceHandler());
        routes.put("/chat", ServiceClient.CHAT);
        routes.put("/llm", ServiceClient.LLM);
        routes.put("/bridge", ServiceClient.BRIDGE);
        ROUTES = Collections.unmodifiableMap(routes);
    }

    public static void main(String[] args) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(PORT), 0);
        int port = server.getAddress().getPort();
        server.createContext("/", exchange -> {
            try (exchange) {
                route(port, exchange);
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

    private static void route(int port, HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        if (path.equals("/")) {
            send(exchange, 200, RawHttp.hello("go-api-gateway", "JDK HttpServer", port) + "; routes " + ROUTES.keySet());
            return;
        }
        Backend backend = ROUTES.get(path);
        if (backend == null) {
            send(exchange, 404, "no route for " + path + "; routes " + ROUTES.keySet());
            return;
        }
        String to = backend.service() + " at " + backend.url();
        try {
            send(exchange, 200, "go-api-gateway -> " + to + " answered: " + backend.call());
        } catch (IOException e) {
            send(exchange, 502, to + " failed: " + e);
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
