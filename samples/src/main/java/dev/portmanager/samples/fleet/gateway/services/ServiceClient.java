package dev.portmanager.samples.fleet.gateway.services;

import dev.portmanager.samples.fleet.gateway.Backend;

import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URL;
import java.nio.charset.StandardCharsets;

/**
 * The gateway's service clients as the design left them (internal/services/*.go): each one a base URL with the
 * port its service always had, written into the code. Nothing here knows PortManager; under the agent, a connect
 * to a port whose service moved is redirected to where it went.
 */
public final class ServiceClient implements Backend {
    public static final ServiceClient VISION = new ServiceClient("python-vision", "http://localhost:8000/");
    public static final ServiceClient HRM = new ServiceClient("hrm-mlx-service", "http://localhost:8085/");
    public static final ServiceClient EMOTION = new ServiceClient("emotion", "http://localhost:8088/");
    public static final ServiceClient CHAT = new ServiceClient("rust-ai-core", "http://localhost:8009/");
    public static final ServiceClient LLM = new ServiceClient("rust-llm-router", "http://localhost:8082/");
    public static final ServiceClient BRIDGE = new ServiceClient("rust-vision-bridge", "http://localhost:8084/");

    private final String service;
    private final String url;

    private ServiceClient(String service, String url) {
        this.service = service;
        this.url = url;
    }

    @Override
    public String service() {
        return service;
    }

    @Override
    public String url() {
        return url;
    }

    @Override
    public String call() throws IOException {
        HttpURLConnection c = (HttpURLConnection) new URL(url).openConnection();
        c.setConnectTimeout(2000);
        c.setReadTimeout(5000);
        // No pooled connection: hrm-mlx-service and voice share localhost:8085, told apart when a connection is
        // opened (see VoiceHandler).
        c.setRequestProperty("Connection", "close");
        try (InputStream in = c.getInputStream()) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
        } finally {
            c.disconnect();
        }
    }
}
