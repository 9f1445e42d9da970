package dev.portmanager.samples.fleet;

import io.undertow.Undertow;
import io.undertow.util.Headers;

import java.net.InetSocketAddress;

/** rust-ai-core: the chat backend, an embedded Undertow server on the hardcoded 8009. */
public final class RustAiCore {
    private static final int PORT = 8009;

    public static void main(String[] args) {
        int[] port = new int[1];
        Undertow server = Undertow.builder()
                .addHttpListener(PORT, "0.0.0.0")
                .setIoThreads(1).setWorkerThreads(2)
                .setHandler(exchange -> {
                    exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "text/plain; charset=utf-8");
                    exchange.getResponseSender().send(RawHttp.hello("rust-ai-core", "Undertow", port[0]) + "\n");
                })
                .build();
        server.start();
        // Undertow knows the address its listener really bound; PORT is only what we asked for.
        port[0] = ((InetSocketAddress) server.getListenerInfo().get(0).getAddress()).getPort();
        System.out.println("rust-ai-core listening on " + port[0]);
    }
}
