package dev.portmanager.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A throwaway {@code redis-server} for tests: its own free loopback port, its own temporary directory, no
 * persistence ({@code --save "" --appendonly no}), so a {@link #restart()} comes back empty exactly like a
 * production Redis restarted without persistence.
 *
 * <p>Only the process this object started is ever signalled; a Redis that already runs on the machine (6379)
 * is never touched. The executable is {@code redis-server} from the PATH unless the system property
 * {@code portmanager.redis.server} (or the environment variable {@code REDIS_SERVER}) names another one.
 *
 * <pre>{@code
 * try (RedisServer redis = RedisServer.launch()) {
 *     String uri = redis.uri();          // redis://127.0.0.1:<port>
 *     redis.restart();                   // same port, empty data
 * }
 * }</pre>
 */
public final class RedisServer implements AutoCloseable {
    private static final String LOOPBACK = "127.0.0.1";
    private static final long START_TIMEOUT_MILLIS = 60_000;
    private static final long STOP_TIMEOUT_MILLIS = 5_000;

    private final List<String> extraArgs;
    private final List<String> leadingArgs;
    private final Path dir;
    private final Path log;
    private final String password;
    private int port;
    private Process process;
    private Thread reaperHook;

    /** A server that is not running yet, with a port chosen now (so a client can be pointed at it first). */
    public RedisServer() {
        this(List.of());
    }

    /**
     * A server that is not running yet.
     *
     * @param extraArgs more {@code redis-server} options, e.g. {@code List.of("--requirepass", "secret")}
     */
    public RedisServer(List<String> extraArgs) {
        this(List.of(), extraArgs);
    }

    /**
     * A server that is not running yet, with arguments that go before the usual options (a config file, which
     * must come first, and {@code --sentinel}) and after them.
     */
    public RedisServer(List<String> leadingArgs, List<String> extraArgs) {
        this(0, leadingArgs, extraArgs);
    }

    /** Same, on a port chosen by the caller (0: a free one now), for fixtures whose configs name each other. */
    RedisServer(int port, List<String> leadingArgs, List<String> extraArgs) {
        this.leadingArgs = List.copyOf(leadingArgs);
        this.extraArgs = List.copyOf(extraArgs);
        this.password = passwordIn(this.extraArgs);
        try {
            this.dir = Files.createTempDirectory("portmanager-redis-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a temporary directory for redis-server", e);
        }
        this.log = dir.resolve("redis.log");
        this.port = port != 0 ? port : freePort();
    }

    /** Starts a fresh server on a free loopback port and waits until it answers PING. */
    public static RedisServer launch() {
        return launch(List.of());
    }

    /** Same as {@link #launch()}, with more {@code redis-server} options. */
    public static RedisServer launch(List<String> extraArgs) {
        RedisServer server = new RedisServer(extraArgs);
        try {
            server.start();
        } catch (RuntimeException e) {
            server.close();
            throw e;
        }
        return server;
    }

    /**
     * Starts the server (on the port already chosen) and waits until it answers PING. When the very first start
     * finds the port taken by someone else in the meantime, it moves to another free port; a restart keeps its
     * port, since clients are pointed at it.
     */
    public synchronized void start() {
        if (isRunning()) {
            return;
        }
        boolean mayMove = process == null;
        for (int attempt = 1; ; attempt++) {
            try {
                spawn();
                return;
            } catch (IllegalStateException e) {
                // only a port taken in the meantime is worth another try; a bad option fails the same way again
                boolean portTaken = logTail().contains("Address already in use");
                if (!mayMove || !portTaken || attempt >= 3 || isRunning()) {
                    throw e;
                }
                port = freePort();
            }
        }
    }

    /** Stops the server politely (SIGTERM; SIGKILL if it does not exit in 5 s). Data is gone. */
    public synchronized void stop() {
        Process p = process;
        if (p == null || !p.isAlive()) {
            return;
        }
        p.destroy();
        if (!waitFor(p, STOP_TIMEOUT_MILLIS)) {
            p.destroyForcibly();
            waitFor(p, STOP_TIMEOUT_MILLIS);
        }
    }

    /** Kills the server at once (SIGKILL), as a crash would. */
    public synchronized void kill() {
        Process p = process;
        if (p == null || !p.isAlive()) {
            return;
        }
        p.destroyForcibly();
        waitFor(p, STOP_TIMEOUT_MILLIS);
    }

    /** Stops the server and starts a new, empty one on the same port. */
    public synchronized void restart() {
        stop();
        start();
    }

    public synchronized boolean isRunning() {
        return process != null && process.isAlive();
    }

    public String host() {
        return LOOPBACK;
    }

    public synchronized int port() {
        return port;
    }

    /** {@code redis://127.0.0.1:<port>}, with the password when the server requires one. */
    public synchronized String uri() {
        return password == null
                ? "redis://" + LOOPBACK + ":" + port
                : "redis://:" + password + "@" + LOOPBACK + ":" + port;
    }

    /** {@code redis://127.0.0.1:<port>/<database>} (no credentials). */
    public synchronized String uri(int database) {
        return "redis://" + LOOPBACK + ":" + port + "/" + database;
    }

    /**
     * Sends one command over a fresh connection and returns the raw RESP reply line (e.g. {@code +PONG},
     * {@code :3}); enough for fixtures that need to inspect or poke the server without a client library.
     */
    public String command(String... args) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(LOOPBACK, port()), 1000);
            socket.setSoTimeout(2000);
            OutputStream out = socket.getOutputStream();
            if (password != null) {
                out.write(resp("AUTH", password));
                readLine(socket.getInputStream());
            }
            out.write(resp(args));
            out.flush();
            return readLine(socket.getInputStream());
        } catch (IOException e) {
            throw new UncheckedIOException("redis command " + args[0] + " failed on port " + port(), e);
        }
    }

    /** The server's own temporary directory (its data, its log, and room for fixture files). */
    public Path dir() {
        return dir;
    }

    /** The last lines the server wrote to its log, for failure messages. */
    public String logTail() {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    @Override
    public synchronized void close() {
        stop();
        if (reaperHook != null) {
            try {
                Runtime.getRuntime().removeShutdownHook(reaperHook);
            } catch (IllegalStateException alreadyShuttingDown) {
                // the hook is running or about to; it only kills our own process
            }
            reaperHook = null;
        }
        deleteRecursively(dir);
    }

    @Override
    public String toString() {
        return "RedisServer[" + LOOPBACK + ":" + port + (isRunning() ? ", running" : ", stopped") + "]";
    }

    // ---- internals -------------------------------------------------------------------------------------------

    private void spawn() {
        List<String> command = new ArrayList<>();
        command.add(executable());
        command.addAll(leadingArgs);
        command.addAll(List.of("--port", Integer.toString(port), "--bind", LOOPBACK,
                "--save", "", "--appendonly", "no", "--dir", dir.toString(), "--daemonize", "no",
                "--logfile", "", "--databases", "16"));
        command.addAll(extraArgs);
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + command.get(0)
                    + " (install redis-server or set -Dportmanager.redis.server=/path/to/redis-server)", e);
        }
        installHook();
        long deadline = System.currentTimeMillis() + START_TIMEOUT_MILLIS;
        while (System.currentTimeMillis() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("redis-server exited with " + process.exitValue()
                        + " on port " + port + ":\n" + logTail());
            }
            if (answersPing()) {
                return;
            }
            sleep(20);
        }
        kill();
        throw new IllegalStateException("redis-server did not answer PING on port " + port + " within "
                + START_TIMEOUT_MILLIS + " ms:\n" + logTail());
    }

    private boolean answersPing() {
        try {
            String reply = command("PING");
            // NOAUTH also proves the server is up and serving
            return reply.startsWith("+PONG") || reply.startsWith("-NOAUTH");
        } catch (UncheckedIOException e) {
            return false;
        }
    }

    /** Kills our own redis-server if the test JVM exits without closing this fixture. */
    private void installHook() {
        if (reaperHook != null) {
            return;
        }
        reaperHook = new Thread(() -> {
            Process p = process;
            if (p != null && p.isAlive()) {
                p.destroyForcibly();
            }
        }, "redis-server-reaper");
        Runtime.getRuntime().addShutdownHook(reaperHook);
    }

    private static String executable() {
        String explicit = System.getProperty("portmanager.redis.server");
        if (explicit == null || explicit.isBlank()) {
            explicit = System.getenv("REDIS_SERVER");
        }
        return explicit == null || explicit.isBlank() ? "redis-server" : explicit;
    }

    private static String passwordIn(List<String> args) {
        int i = args.indexOf("--requirepass");
        return i >= 0 && i + 1 < args.size() ? args.get(i + 1) : null;
    }

    /** A port the OS considers free right now; the start retries elsewhere if someone takes it meanwhile. */
    public static int freePort() {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(false);
            socket.bind(new InetSocketAddress(InetAddress.getByName(LOOPBACK), 0));
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot find a free loopback port", e);
        }
    }

    private static byte[] resp(String... args) {
        StringBuilder sb = new StringBuilder("*").append(args.length).append("\r\n");
        for (String a : args) {
            sb.append('$').append(a.getBytes(StandardCharsets.UTF_8).length).append("\r\n").append(a).append("\r\n");
        }
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static String readLine(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        int c;
        while ((c = in.read()) != -1) {
            if (c == '\r') {
                in.read(); // '\n'
                break;
            }
            sb.append((char) c);
        }
        if (c == -1 && sb.length() == 0) {
            throw new IOException("connection closed");
        }
        return sb.toString();
    }

    private static boolean waitFor(Process p, long millis) {
        try {
            return p.waitFor(millis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return !p.isAlive();
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for redis-server", e);
        }
    }

    private static void deleteRecursively(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a leftover temp directory is harmless
        }
    }
}
