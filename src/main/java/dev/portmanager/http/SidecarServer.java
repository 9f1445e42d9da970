package dev.portmanager.http;

import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;

import javax.net.ssl.SSLContext;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The sidecar's HTTP server (the JDK's built-in one, HTTPS when given TLS material): binds, refuses an exposed
 * address without a token, and serves {@link ApiHandler} behind a {@link RequestGuard}.
 */
public final class SidecarServer implements AutoCloseable {
    /** Shorter tokens are guessable; refusing them beats an exposed sidecar that anyone can steer. */
    public static final int MIN_TOKEN_LENGTH = 16;

    private final HttpServer server;
    private final ExecutorService workers;
    private final String bind;
    private final boolean tls;

    private SidecarServer(HttpServer server, ExecutorService workers, String bind, boolean tls) {
        this.server = server;
        this.workers = workers;
        this.bind = bind;
        this.tls = tls;
    }

    /**
     * Starts serving {@code api} on {@code bind:port} (port 0 picks a free one), plain HTTP.
     *
     * @param token null for none; required when {@code bind} is not a loopback address
     * @throws IllegalArgumentException when the address is unusable or exposed without a token
     * @throws IOException              when the port cannot be bound
     */
    public static SidecarServer start(PortManagerApi api, String bind, int port, String token) throws IOException {
        return start(api, SidecarSettings.of(bind, port, token));
    }

    /**
     * Starts serving {@code api} as {@code settings} say.
     *
     * @throws IllegalArgumentException when the address, token or TLS material is unusable, or the address is
     *                                  exposed without a token
     * @throws IOException              when the port cannot be bound
     */
    public static SidecarServer start(PortManagerApi api, SidecarSettings settings) throws IOException {
        String bind = settings.bind();
        String token = settings.token();
        InetAddress address;
        try {
            address = InetAddress.getByName(bind);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("--bind '" + bind + "' is not an address of this host: expected "
                    + "an IP address or host name such as 127.0.0.1");
        }
        if (token != null && token.length() < MIN_TOKEN_LENGTH) {
            throw new IllegalArgumentException("the token is too short (" + token.length() + " characters): "
                    + "expected at least " + MIN_TOKEN_LENGTH + ", e.g. from `openssl rand -hex 24`");
        }
        boolean exposed = !address.isLoopbackAddress();
        if (exposed && token == null) {
            throw new IllegalArgumentException("refusing to listen on " + bind + " without a token: anyone who "
                    + "can reach it could allocate and release ports. Set --token or PORTMANAGER_TOKEN, or bind "
                    + "to 127.0.0.1");
        }
        for (String origin : settings.allowOrigins()) {
            checkOrigin(origin);
        }
        SSLContext tls = settings.tls() == null ? null : TlsContexts.serverContext(settings.tls());
        limitRequests();
        InetSocketAddress at = new InetSocketAddress(address, settings.port());
        HttpServer server;
        if (tls != null) {
            HttpsServer https = HttpsServer.create(at, 64);
            https.setHttpsConfigurator(new HttpsConfigurator(tls));
            server = https;
        } else {
            server = HttpServer.create(at, 64);
        }
        ExecutorService workers = SidecarExecutor.create();
        server.setExecutor(workers);
        RequestGuard guard = new RequestGuard(HostAllowList.forBind(bind, address, settings.allowHosts()),
                settings.allowOrigins(), token, exposed, tls != null);
        server.createContext("/", new ApiHandler(api, guard));
        server.start();
        return new SidecarServer(server, workers, bind, tls != null);
    }

    /** A CORS origin is scheme://host[:port], exactly as browsers send it. */
    private static void checkOrigin(String origin) {
        URI u;
        try {
            u = new URI(origin);
        } catch (URISyntaxException e) {
            u = null;
        }
        if (u == null || u.getHost() == null || !("http".equals(u.getScheme()) || "https".equals(u.getScheme()))
                || (u.getPath() != null && !u.getPath().isEmpty() && !u.getPath().equals("/"))
                || u.getQuery() != null || u.getFragment() != null || u.getUserInfo() != null) {
            throw new IllegalArgumentException("--allow-origin '" + Validation.printable(origin) + "' is not an "
                    + "origin: expected scheme://host[:port], e.g. https://dashboard.example.com");
        }
    }

    /**
     * The JDK server reads these properties once, when its classes load, so they are set before the first server
     * is created (an explicit -D wins). maxReqTime bounds reading a request's headers and body: without it a
     * client that sends half a request holds a worker until it gives up. maxConnections (JDK 18+; on 17 the
     * executor's cap is the limit) closes connections beyond it at once. nodelay turns Nagle's algorithm off on
     * accepted connections: the server writes an answer's headers and its body apart, and with Nagle on, the body
     * waited for the client's acknowledgement of the headers, which a client keeping its connection open delays by
     * up to 40 ms: every request on a kept-alive connection (the CLI with --url, a browser on the dashboard) took
     * 40-50 ms instead of a few (BENCHMARKS.md, "Sidecar: requests on a kept-alive connection").
     */
    private static void limitRequests() {
        defaultProperty("sun.net.httpserver.maxReqTime", "10");
        defaultProperty("jdk.httpserver.maxConnections", Integer.toString(2 * SidecarExecutor.MAX_IN_FLIGHT));
        defaultProperty("sun.net.httpserver.nodelay", "true");
    }

    private static void defaultProperty(String name, String value) {
        if (System.getProperty(name) == null) {
            System.setProperty(name, value);
        }
    }

    /** The bound address, with the real port when 0 was asked for. */
    public InetSocketAddress address() {
        return server.getAddress();
    }

    /** {@code http(s)://host:port}, IPv6 literals bracketed; a wildcard bind shows as given (0.0.0.0, ::). */
    public String url() {
        InetSocketAddress a = address();
        String host = a.getAddress().isAnyLocalAddress() ? bind : a.getAddress().getHostAddress();
        return (tls ? "https://" : "http://") + (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + a.getPort();
    }

    @Override
    public void close() {
        server.stop(0);
        workers.shutdown();
        try {
            workers.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
