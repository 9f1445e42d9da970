package dev.portmanager.agent.subjects;

import dev.portmanager.agent.subjects.hrm.HrmCaller;
import dev.portmanager.agent.subjects.voice.VoiceCaller;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * A legacy client with hardcoded ports: for each argument {@code STACK:PORT} it makes one HTTP GET to
 * {@code 127.0.0.1:PORT} through that client stack and prints {@code RESULT STACK PORT <body> remote=<port>}
 * ({@code remote} is the peer port the stack's own API reports, {@code -} where it has none), or
 * {@code RESULT STACK PORT REFUSED} when the connection is refused, {@code RESULT STACK PORT UNAVAILABLE why} for
 * a transport this machine lacks. Then {@code DONE}.
 */
public final class ConnectClientApp {
    static final String REQUEST = "GET / HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n";

    public static void main(String[] args) throws Exception {
        if (args.length == 2 && args[0].equals("watch")) {
            watch(Integer.parseInt(args[1]));
            return;
        }
        for (String arg : args) {
            int colon = arg.indexOf(':');
            String stack = arg.substring(0, colon);
            int port = Integer.parseInt(arg.substring(colon + 1));
            String result;
            try {
                result = run(stack, port);
            } catch (ConnectException refused) {
                result = "REFUSED";
            } catch (ExecutionException e) {
                result = e.getCause() instanceof ConnectException
                        || String.valueOf(e.getCause()).contains("onnection refused") ? "REFUSED" : "ERROR " + e.getCause();
            } catch (Exception e) {
                result = String.valueOf(e).contains("onnection refused") ? "REFUSED" : "ERROR " + e;
            }
            System.out.println("RESULT " + stack + " " + port + " " + result);
        }
        System.out.println("DONE");
        System.out.flush();
        System.exit(0); // Netty's and HttpClient's threads would keep the JVM
    }

    /**
     * Dials 127.0.0.1:PORT over a plain socket every 20 ms, for at most 60 s, and prints
     * {@code SEEN <epoch ms> <result>} whenever the result changes: how long a move takes to reach a client.
     */
    private static void watch(int port) throws Exception {
        String last = null;
        long end = System.currentTimeMillis() + 60_000;
        while (System.currentTimeMillis() < end) {
            String result;
            try {
                result = socket(new InetSocketAddress("127.0.0.1", port));
            } catch (ConnectException refused) {
                result = "REFUSED";
            } catch (IOException e) {
                result = "ERROR " + e;
            }
            if (!result.equals(last)) {
                System.out.println("SEEN " + System.currentTimeMillis() + " " + result);
                System.out.flush();
                last = result;
            }
            Thread.sleep(20);
        }
        System.exit(0);
    }

    private static String run(String stack, int port) throws Exception {
        InetSocketAddress to = new InetSocketAddress("127.0.0.1", port);
        switch (stack) {
            case "socket":
                return socket(to);
            case "url": {
                HttpURLConnection c = (HttpURLConnection) URI.create("http://127.0.0.1:" + port + "/").toURL().openConnection();
                c.setConnectTimeout(5000);
                c.setReadTimeout(10000);
                try (InputStream in = c.getInputStream()) {
                    return text(in.readAllBytes()).trim() + " remote=-";
                }
            }
            case "channel":
                try (SocketChannel ch = SocketChannel.open(to)) {
                    return exchange(ch) + " remote=" + ((InetSocketAddress) ch.getRemoteAddress()).getPort();
                }
            case "adaptor":
                try (SocketChannel ch = SocketChannel.open()) {
                    ch.socket().connect(to, 5000);
                    return exchange(ch) + " remote=" + ch.socket().getPort();
                }
            case "httpclient": {
                HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
                HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/"))
                        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
                return r.body().trim() + " remote=-";
            }
            case "async":
                try (AsynchronousSocketChannel ch = AsynchronousSocketChannel.open()) {
                    ch.connect(to).get(5, TimeUnit.SECONDS);
                    ch.write(ByteBuffer.wrap(REQUEST.getBytes(StandardCharsets.US_ASCII))).get(5, TimeUnit.SECONDS);
                    ByteBuffer buf = ByteBuffer.allocate(4096);
                    while (ch.read(buf).get(10, TimeUnit.SECONDS) > 0) {
                        // until the server closes
                    }
                    return body(new String(buf.array(), 0, buf.position(), StandardCharsets.US_ASCII))
                            + " remote=" + ((InetSocketAddress) ch.getRemoteAddress()).getPort();
                }
            case "netty-nio":
            case "netty-epoll":
            case "netty-io_uring":
                return NettyClients.get(stack.substring("netty-".length()), to);
            case "voice":
                return VoiceCaller.call(to);
            case "hrm":
                return HrmCaller.call(to);
            default:
                throw new IllegalArgumentException("unknown stack " + stack);
        }
    }

    /** One GET over a plain socket; the body, and the peer port the socket reports. */
    static String socket(InetSocketAddress to) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(to, 5000);
            return exchange(s);
        }
    }

    /** One GET over a connected socket (closed by the caller). */
    public static String exchange(Socket s) throws IOException {
        s.setSoTimeout(10000);
        s.getOutputStream().write(REQUEST.getBytes(StandardCharsets.US_ASCII));
        return body(text(s.getInputStream().readAllBytes())) + " remote=" + s.getPort();
    }

    private static String exchange(SocketChannel ch) throws IOException {
        ch.socket().setSoTimeout(10000);
        ch.write(ByteBuffer.wrap(REQUEST.getBytes(StandardCharsets.US_ASCII)));
        return body(text(ch.socket().getInputStream().readAllBytes()));
    }

    static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.US_ASCII);
    }

    /** The body of an HTTP response (after the blank line), trimmed. */
    static String body(String response) {
        int blank = response.indexOf("\r\n\r\n");
        return (blank < 0 ? response : response.substring(blank + 4)).trim();
    }
}
