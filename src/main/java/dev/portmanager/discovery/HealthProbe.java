package dev.portmanager.discovery;

import dev.portmanager.Endpoint;

import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.Socket;
import java.net.URI;

/**
 * Checks one registered instance on its real port: a TCP connect, or an HTTP GET when the service declares a
 * health path. Only ever aimed at addresses the registry holds (never at anything a client sends), and it uses
 * no background threads, so the discovery client can call it from any thread.
 */
public final class HealthProbe {
    private final int timeoutMillis;

    public HealthProbe(int timeoutMillis) {
        this.timeoutMillis = timeoutMillis;
    }

    /**
     * One check's outcome.
     *
     * @param status        UP or DOWN
     * @param check         what was tried: {@code tcp} or {@code GET /path}
     * @param latencyMillis how long the check took
     * @param detail        why it is DOWN (or the HTTP status), for humans
     */
    public record Result(String service, String host, String address, int port, long pid, String status,
                         String check, double latencyMillis, String detail) {
        public boolean up() {
            return "UP".equals(status);
        }
    }

    /** Checks {@code e}; {@code healthPath} null or blank means a plain TCP connect. */
    public Result check(Endpoint e, String healthPath) {
        long start = System.nanoTime();
        String check = healthPath == null || healthPath.isBlank() ? "tcp" : "GET " + healthPath;
        String detail;
        boolean up;
        try {
            if (healthPath == null || healthPath.isBlank()) {
                connect(e.address(), e.port());
                detail = "accepting connections";
            } else {
                int code = get(e, healthPath);
                detail = "HTTP " + code;
                up = code >= 200 && code < 400;
                return result(e, up, check, start, detail);
            }
            up = true;
        } catch (IOException | RuntimeException ex) {
            up = false;
            detail = ex.getClass().getSimpleName() + (ex.getMessage() == null ? "" : ": " + ex.getMessage());
        }
        return result(e, up, check, start, detail);
    }

    /** True when something accepts TCP connections at address:port within the timeout. */
    public boolean accepts(String address, int port) {
        try {
            connect(address, port);
            return true;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private void connect(String address, int port) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(address, port), timeoutMillis);
        }
    }

    private int get(Endpoint e, String path) throws IOException {
        String p = path.startsWith("/") ? path : "/" + path;
        // Proxy.NO_PROXY: a health check goes straight to the instance, never through a configured proxy.
        HttpURLConnection c = (HttpURLConnection) URI.create("http://" + e.authority() + p).toURL()
                .openConnection(Proxy.NO_PROXY);
        c.setConnectTimeout(timeoutMillis);
        c.setReadTimeout(timeoutMillis);
        c.setInstanceFollowRedirects(false);
        c.setUseCaches(false);
        try {
            int code = c.getResponseCode();
            InputStream body = code >= 400 ? c.getErrorStream() : c.getInputStream();
            if (body != null) {
                body.close();
            }
            return code;
        } finally {
            c.disconnect();
        }
    }

    private static Result result(Endpoint e, boolean up, String check, long startNanos, String detail) {
        double ms = Math.round((System.nanoTime() - startNanos) / 10_000.0) / 100.0;
        return new Result(e.service(), e.host(), e.address(), e.port(), e.pid(), up ? "UP" : "DOWN", check, ms,
                detail);
    }
}
