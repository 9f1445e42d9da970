package dev.portmanager.samples.fleet.gateway.voice;

import dev.portmanager.samples.fleet.gateway.Backend;

import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URL;
import java.nio.charset.StandardCharsets;

/**
 * The gateway's voice handler (the design's internal/handlers/voice.go), never migrated: it still dials 8085,
 * the port voice shares with hrm-mlx-service. On its own package on purpose: hrm-mlx-service keeps 8085, so the
 * agent's default rule leaves 8085 alone, and the route {@code 8085@dev.portmanager.samples.fleet.gateway.voice=voice}
 * sends this handler's connects, and only this handler's, to voice.
 */
public final class VoiceHandler implements Backend {
    private static final String VOICE_URL = "http://localhost:8085/"; // hardcoded, as in the design

    @Override
    public String service() {
        return "voice";
    }

    @Override
    public String url() {
        return VOICE_URL;
    }

    @Override
    public String call() throws IOException {
        HttpURLConnection c = (HttpURLConnection) new URL(VOICE_URL).openConnection();
        c.setConnectTimeout(2000);
        c.setReadTimeout(5000);
        // HttpURLConnection pools keep-alive connections by host and port, and a route acts when a connection is
        // opened: a pooled localhost:8085 connection made here (really to voice) would carry the HRM client's
        // next request to voice, and one of its to hrm-mlx-service here. So neither side leaves one behind.
        c.setRequestProperty("Connection", "close");
        try (InputStream in = c.getInputStream()) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
        } finally {
            c.disconnect();
        }
    }
}
