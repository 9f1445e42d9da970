package dev.portmanager.agent.subjects;

import com.sun.net.httpserver.HttpServer;

import java.io.OutputStream;
import java.net.InetSocketAddress;

/** Legacy stack: the JDK's {@code HttpServer} (binds through ServerSocketChannel's socket adaptor). */
public final class HttpServerApp {
    public static void main(String[] args) throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress(Subject.port(args)), 0);
        server.createContext("/", exchange -> {
            byte[] body = Subject.greeting("httpserver");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
        Subject.listening(server.getAddress().getPort());
    }
}
