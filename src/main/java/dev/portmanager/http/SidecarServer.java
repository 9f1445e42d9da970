package dev.portmanager.http;

import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The sidecar's HTTP server (the JDK's built-in one): binds, refuses an exposed address without a token, and
 * serves {@link ApiHandler}.
 */
public final class SidecarServer implements AutoCloseable {
    /** Shorter tokens are guessable; refusing them beats an exposed sidecar that anyone can steer. */
    public static final int MIN_TOKEN_LENGTH = 16;

    private final HttpServer server;
    private final ExecutorService workers;
    private final String bind;

    private SidecarServer(HttpServer server, ExecutorService workers, String bind) {
        this.server = server;
        this.workers = workers;
        this.bind = bind;
    }

    /**
     * Starts serving {@code api} on {@code bind:port} (port 0 picks a free one).
     *
     * @param token null for none; required when {@code bind} is not a loopback address
     * @throws IllegalArgumentException when the address is unusable or exposed without a token
     * @throws IOException              when the port cannot be bound
     */
    public static SidecarServer start(PortManagerApi api, String bind, int port, String token) throws IOException {
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
        if (!address.isLoopbackAddress() && token == null) {
            throw new IllegalArgumentException("refusing to listen on " + bind + " without a token: anyone who "
                    + "can reach it could allocate and release ports. Set --token or PORTMANAGER_TOKEN, or bind "
                    + "to 127.0.0.1");
        }
        limitRequestTime();
        HttpServer server = HttpServer.create(new InetSocketAddress(address, port), 64);
        AtomicInteger n = new AtomicInteger();
        ExecutorService workers = Executors.newFixedThreadPool(8, r -> {
            Thread t = new Thread(r, "portmanager-http-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(workers);
        server.createContext("/", new ApiHandler(api, token));
        server.start();
        return new SidecarServer(server, workers, bind);
    }

    /**
     * Without a limit, a client that sends half a request holds a worker thread forever. The JDK server reads
     * this property once, when its classes load, so it is set before the first server is created (an explicit
     * -D wins).
     */
    private static void limitRequestTime() {
        if (System.getProperty("sun.net.httpserver.maxReqTime") == null) {
            System.setProperty("sun.net.httpserver.maxReqTime", "20");
        }
    }

    /** The bound address, with the real port when 0 was asked for. */
    public InetSocketAddress address() {
        return server.getAddress();
    }

    /** {@code http://host:port}, IPv6 literals bracketed; a wildcard bind shows as given (0.0.0.0, ::). */
    public String url() {
        InetSocketAddress a = address();
        String host = a.getAddress().isAnyLocalAddress() ? bind : a.getAddress().getHostAddress();
        return "http://" + (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + a.getPort();
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
