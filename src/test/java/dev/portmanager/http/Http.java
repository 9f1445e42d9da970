package dev.portmanager.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** A tiny HTTP client for tests: JDK HttpClient for well-formed requests, a raw socket for malformed ones. */
final class Http {
    static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
            .proxy(HttpClient.Builder.NO_PROXY).build();

    private Http() {
    }

    record Reply(int status, String body, java.net.http.HttpHeaders headers) {
        /** A response header's first value, or null. */
        String header(String name) {
            return headers == null ? null : headers.firstValue(name).orElse(null);
        }

        JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new AssertionError("not JSON (" + status + "): " + body, e);
            }
        }

        @Override
        public String toString() {
            return status + " " + body;
        }
    }

    static Reply get(URI uri) {
        return send("GET", uri, null, null);
    }

    static Reply post(URI uri, String json) {
        return send("POST", uri, json, "application/json");
    }

    static Reply delete(URI uri) {
        return send("DELETE", uri, null, "application/json");
    }

    static Reply send(String method, URI uri, String body, String contentType, String... headers) {
        return send(CLIENT, method, uri, body, contentType, headers);
    }

    /** The same through {@code client} (one that trusts a test certificate, say). */
    static Reply send(HttpClient client, String method, URI uri, String body, String contentType,
                      String... headers) {
        // Bounds on a hang, not on speed (see Sidecar): an answer that never comes fails, a slow one does not.
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(60))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        for (int i = 0; i + 1 < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        try {
            HttpResponse<String> r = client.send(b.build(), HttpResponse.BodyHandlers.ofString());
            return new Reply(r.statusCode(), r.body(), r.headers());
        } catch (IOException e) {
            throw new AssertionError(method + " " + uri + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** What {@link #raw} returns when the server closed the connection cleanly without an answer. */
    static final int CLOSED_WITHOUT_ANSWER = -1;
    /** What {@link #raw} returns when the server reset the connection before any answer. */
    static final int RESET = -2;

    /**
     * Writes {@code request} as is (anything a socket can carry) and returns the status code of the answer,
     * {@link #CLOSED_WITHOUT_ANSWER} or {@link #RESET}. No answer within 60 s is a failure, never a status.
     * The request is written from another thread so that a server answering before it has read everything (a
     * body over the cap) is still heard.
     */
    static int raw(URI base, byte[] request) {
        try (Socket s = new Socket()) {
            s.connect(new java.net.InetSocketAddress(base.getHost(), base.getPort()), 5_000);
            s.setSoTimeout(60_000);
            Thread writer = new Thread(() -> {
                try {
                    OutputStream out = s.getOutputStream();
                    for (int off = 0; off < request.length; off += 8192) {
                        out.write(request, off, Math.min(8192, request.length - off));
                    }
                    out.flush();
                    s.shutdownOutput(); // what was sent is all there is: the server sees the end at once
                } catch (IOException e) {
                    // the server stopped reading: its answer (if any) still counts
                }
            }, "raw-writer");
            writer.setDaemon(true);
            writer.start();
            InputStream in = s.getInputStream();
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            int c;
            try {
                while ((c = in.read()) != -1 && c != '\n') {
                    head.write(c);
                }
            } catch (java.net.SocketTimeoutException e) {
                throw new AssertionError("no answer within 60 s to " + describe(request), e);
            } catch (java.net.SocketException e) {
                if (head.size() == 0) {
                    return RESET;
                }
                throw new AssertionError("reset in the middle of the status line to " + describe(request), e);
            }
            String line = head.toString(StandardCharsets.ISO_8859_1).trim();
            if (line.isEmpty()) {
                return CLOSED_WITHOUT_ANSWER;
            }
            String[] parts = line.split(" ");
            return Integer.parseInt(parts[1]);
        } catch (IOException e) {
            throw new AssertionError("cannot talk to " + base + ": " + e, e);
        }
    }

    private static String describe(byte[] request) {
        return new String(request, 0, Math.min(60, request.length), StandardCharsets.ISO_8859_1);
    }

    static int raw(URI base, String request) {
        return raw(base, request.getBytes(StandardCharsets.ISO_8859_1));
    }
}
