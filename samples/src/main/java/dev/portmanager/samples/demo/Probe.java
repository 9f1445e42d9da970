package dev.portmanager.samples.demo;

import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URL;
import java.nio.charset.StandardCharsets;

/** Plain client calls the demo makes: is a port accepting connections, and a GET returning status and body. */
final class Probe {
    private Probe() {
    }

    /** True when something accepts a TCP connection on the loopback port. */
    static boolean accepts(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** A GET's status and body; status 0 and the error text when the call itself failed. */
    record Response(int status, String body) {
    }

    static Response get(String url) {
        try {
            HttpURLConnection c = (HttpURLConnection) new URL(url).openConnection();
            c.setConnectTimeout(3000);
            c.setReadTimeout(30000); // a gateway on a Redis store may take seconds on its first lookups
            int status = c.getResponseCode();
            InputStream in = status >= 400 ? c.getErrorStream() : c.getInputStream();
            String body = in == null ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
            c.disconnect();
            return new Response(status, body);
        } catch (IOException e) {
            return new Response(0, e.toString());
        }
    }
}
