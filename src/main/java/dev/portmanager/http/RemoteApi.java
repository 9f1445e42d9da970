package dev.portmanager.http;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import dev.portmanager.Allocation;
import dev.portmanager.Conflict;
import dev.portmanager.Endpoint;
import dev.portmanager.RangeUtilization;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The API as a running sidecar serves it ({@code --url}, {@code PORTMANAGER_URL}). Its HTTP client is created on
 * first use, so constructing one costs no threads.
 */
public final class RemoteApi implements PortManagerApi {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final String PM = "/api/v1/port-management";
    private static final String DISCOVERY = "/api/v1/discovery";
    /** The change index on discovery and allocations responses (see {@link #awaitChange}). */
    public static final String INDEX_HEADER = "X-PortManager-Index";

    private final URI base;
    private final String token;
    private volatile HttpClient client;
    /** Why an answer so far came with a stale registry part (the sidecar could not read Redis), or null. */
    private volatile String staleRegistry;

    /**
     * @param base  {@code http://host:port} of the sidecar
     * @param token bearer token sent with every request, or null
     */
    public RemoteApi(URI base, String token) {
        this.base = checkBase(base);
        this.token = token;
    }

    /** Accepts {@code http(s)://host[:port]} with no path beyond "/", else says what is expected. */
    public static URI checkBase(URI uri) {
        if (uri == null || uri.getScheme() == null || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))
                || uri.getHost() == null || (uri.getPath() != null && !uri.getPath().isEmpty() && !uri.getPath().equals("/"))
                || uri.getQuery() != null || uri.getFragment() != null || uri.getUserInfo() != null) {
            throw new IllegalArgumentException("'" + uri + "' is not a sidecar URL: expected http://host:port, "
                    + "e.g. http://127.0.0.1:8081");
        }
        String s = uri.toString();
        return URI.create(s.endsWith("/") ? s.substring(0, s.length() - 1) : s);
    }

    public URI base() {
        return base;
    }

    @Override
    public Allocation allocate(AllocateBody body) {
        try {
            byte[] json = Json.OUT.writeValueAsBytes(body);
            return read(send("POST", PM + "/allocate", HttpRequest.BodyPublishers.ofByteArray(json)),
                    new TypeReference<>() { });
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Override
    public Allocation release(int port) {
        Validation.port("port", port);
        return read(send("DELETE", PM + "/release/" + port, HttpRequest.BodyPublishers.noBody()),
                new TypeReference<>() { });
    }

    @Override
    public List<Allocation> allocations() {
        return read(get(PM + "/allocations"), new TypeReference<>() { });
    }

    @Override
    public List<RangeUtilization> utilization() {
        return read(get(PM + "/utilization"), new TypeReference<>() { });
    }

    @Override
    public List<Conflict> conflicts() {
        return read(get(PM + "/conflicts"), new TypeReference<>() { });
    }

    @Override
    public List<ServiceView> services() {
        return read(get(DISCOVERY + "/services"), new TypeReference<>() { });
    }

    @Override
    public Optional<ServiceView> service(String name) {
        Validation.name("service name", name);
        HttpResponse<byte[]> r = get(DISCOVERY + "/services/" + name);
        return r.statusCode() == 404 ? Optional.empty() : Optional.of(read(r, new TypeReference<>() { }));
    }

    /** The sidecar has no lookup route of its own: a service's instances are its discovery entry. */
    @Override
    public List<Endpoint> lookup(String name) {
        return service(name).map(s -> s.instances().stream()
                .filter(i -> !i.ownerGone())
                .map(i -> new Endpoint(i.service(), i.endpoint(), i.host(), i.address(), i.port(), i.pid(),
                        i.type(), i.since(), i.renewedAt()))
                .toList()).orElse(List.of());
    }

    @Override
    public Optional<HealthReport> health(String name) {
        Validation.name("service name", name);
        HttpResponse<byte[]> r = get(DISCOVERY + "/services/" + name + "/health");
        return r.statusCode() == 404 ? Optional.empty() : Optional.of(read(r, new TypeReference<>() { }));
    }

    @Override
    public RefreshResult refresh() {
        return read(send("POST", DISCOVERY + "/services/refresh", HttpRequest.BodyPublishers.noBody()),
                new TypeReference<>() { });
    }

    @Override
    public SidecarStatus status() {
        return read(get("/health"), new TypeReference<>() { });
    }

    @Override
    public long index() {
        return indexOf(get(PM + "/allocations"));
    }

    /** One blocking query on the allocations; its request timeout leaves room for the whole wait. */
    @Override
    public long awaitChange(long known, Duration wait) {
        return indexOf(send("GET", PM + "/allocations?index=" + known + "&wait=" + wait.toMillis() + "ms",
                HttpRequest.BodyPublishers.noBody(), wait.plus(TIMEOUT)));
    }

    private long indexOf(HttpResponse<byte[]> r) {
        if (r.statusCode() != 200) {
            read(r, new TypeReference<Object>() { }); // throws the sidecar's error
        }
        noteRegistry(r);
        String header = r.headers().firstValue(INDEX_HEADER).orElse(null);
        try {
            return Long.parseLong(String.valueOf(header).trim());
        } catch (NumberFormatException e) {
            throw new ApiException(502, "bad_response", "the sidecar at " + base + " sent no " + INDEX_HEADER
                    + " header: is it an older version without watch support?");
        }
    }

    @Override
    public void close() {
        // java.net.http.HttpClient has no close() before Java 21; its threads are daemons and end with the client.
        client = null;
    }

    private HttpResponse<byte[]> get(String path) {
        return send("GET", path, HttpRequest.BodyPublishers.noBody());
    }

    private HttpResponse<byte[]> send(String method, String path, HttpRequest.BodyPublisher body) {
        return send(method, path, body, TIMEOUT);
    }

    private HttpResponse<byte[]> send(String method, String path, HttpRequest.BodyPublisher body,
                                      Duration timeout) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(timeout)
                .header("Accept", "application/json").method(method, body);
        if (!method.equals("GET")) {
            b.header("Content-Type", "application/json");
        }
        if (token != null) {
            // A sidecar beyond loopback wants it on reads as well.
            b.header("Authorization", "Bearer " + token);
        }
        try {
            return client().send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (ConnectException e) {
            throw new ApiException(503, "unreachable", "cannot reach the sidecar at " + base
                    + " (connection refused): is `portmanager serve` running there?");
        } catch (IOException e) {
            throw new ApiException(503, "unreachable", "cannot talk to the sidecar at " + base + ": " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException(503, "interrupted", "interrupted while waiting for " + base);
        }
    }

    /**
     * Why an answer received so far had a stale registry part: the sidecar could not read the registry in time
     * and answered with this host's part and its last read of the others ({@code PortManager-Registry: stale}).
     */
    public Optional<String> staleRegistry() {
        return Optional.ofNullable(staleRegistry);
    }

    private void noteRegistry(HttpResponse<byte[]> r) {
        String state = r.headers().firstValue(RegistryStatus.HEADER).orElse(null);
        if (RegistryStatus.isStale(state)) {
            String why = r.headers().firstValue(RegistryStatus.DETAIL_HEADER).orElse("");
            staleRegistry = why.isBlank() ? "registry " + state : why;
        }
    }

    private <T> T read(HttpResponse<byte[]> r, TypeReference<T> type) {
        try {
            if (r.statusCode() >= 200 && r.statusCode() < 300) {
                noteRegistry(r);
                return Json.LENIENT.readValue(r.body(), type);
            }
            JsonNode err = Json.LENIENT.readTree(r.body());
            String error = err != null && err.hasNonNull("error") ? err.get("error").asText() : "http_" + r.statusCode();
            String detail = err != null && err.hasNonNull("detail") ? err.get("detail").asText()
                    : "the sidecar answered HTTP " + r.statusCode();
            throw new ApiException(r.statusCode(), error, detail);
        } catch (IOException e) {
            throw new ApiException(502, "bad_response", "the sidecar at " + base + " answered HTTP "
                    + r.statusCode() + " with a body that is not the expected JSON: " + e.getMessage());
        }
    }

    private HttpClient client() {
        HttpClient c = client;
        if (c == null) {
            synchronized (this) {
                if (client == null) {
                    client = HttpClient.newBuilder().connectTimeout(TIMEOUT)
                            .proxy(HttpClient.Builder.NO_PROXY).build();
                }
                c = client;
            }
        }
        return c;
    }
}
