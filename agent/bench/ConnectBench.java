import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.util.Arrays;

/**
 * Connect-decision benchmark (see connect.sh). Under the agent it times the bridge's decision alone
 * (java.net.PortManagerBridge.connect, what every rewritten connect method calls first) for an unmanaged
 * destination and for a redirected one, in batches of 1,000 calls, and reports the p50 and p99 of the per-call
 * mean of each batch. With or without the agent it times real loopback connects (connect + close) to an
 * unmanaged listener, to set the decision against what a connect costs anyway.
 *
 * Usage: java [-javaagent:...] ConnectBench.java REDIRECTED_PORT
 */
public final class ConnectBench {
    private static final int BATCH = 1_000;

    public static void main(String[] args) throws Throwable {
        int redirectedPort = Integer.parseInt(args[0]);
        String label = args.length > 1 ? args[1] : "";
        try (ServerSocket listener = new ServerSocket(0)) {
            Thread acceptor = new Thread(() -> {
                while (true) {
                    try {
                        listener.accept().close();
                    } catch (Exception e) {
                        return;
                    }
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
            InetSocketAddress unmanaged = new InetSocketAddress("127.0.0.1", listener.getLocalPort());
            InetSocketAddress redirected = new InetSocketAddress("127.0.0.1", redirectedPort);

            MethodHandle decide = bridge();
            if (decide != null) {
                Object socket = new Object();
                decideOnce(decide, socket, unmanaged); // builds the table: the first connect's one-time cost
                SocketAddress to = (SocketAddress) decide.invokeExact(socket, (SocketAddress) redirected);
                if (to.equals(redirected)) {
                    throw new IllegalStateException("port " + redirectedPort + " is not redirected: no moved service?");
                }
                report(label + " decision, unmanaged destination", decisions(decide, socket, unmanaged));
                report(label + " decision, redirected destination (-> " + ((InetSocketAddress) to).getPort() + ")",
                        decisions(decide, socket, redirected));
            }
            report(label + " real connect+close, unmanaged destination", connects(unmanaged));
        }
        System.exit(0);
    }

    private static MethodHandle bridge() throws Exception {
        try {
            Class<?> bridge = Class.forName("java.net.PortManagerBridge", false, null);
            return MethodHandles.publicLookup().findStatic(bridge, "connect",
                    MethodType.methodType(SocketAddress.class, Object.class, SocketAddress.class));
        } catch (ClassNotFoundException noAgent) {
            return null;
        }
    }

    private static void decideOnce(MethodHandle decide, Object socket, SocketAddress to) throws Throwable {
        SocketAddress ignored = (SocketAddress) decide.invokeExact(socket, to);
    }

    /** Per-call nanoseconds, one sample per batch: 200 warm-up batches, then 2,000 measured. */
    private static double[] decisions(MethodHandle decide, Object socket, SocketAddress to) throws Throwable {
        int sink = 0;
        double[] samples = new double[2_000];
        for (int b = -200; b < samples.length; b++) {
            long start = System.nanoTime();
            for (int i = 0; i < BATCH; i++) {
                SocketAddress r = (SocketAddress) decide.invokeExact(socket, to);
                sink += r.hashCode() & 1;
            }
            long took = System.nanoTime() - start;
            if (b >= 0) {
                samples[b] = (double) took / BATCH;
            }
        }
        if (sink == 42) {
            System.out.println();
        }
        return samples;
    }

    /** Nanoseconds per real connect + close: 500 warm-up, 3,000 measured. */
    private static double[] connects(InetSocketAddress to) throws Exception {
        double[] samples = new double[3_000];
        for (int i = -500; i < samples.length; i++) {
            long start = System.nanoTime();
            try (Socket s = new Socket()) {
                s.connect(to, 2000);
            }
            if (i >= 0) {
                samples[i] = System.nanoTime() - start;
            }
        }
        return samples;
    }

    private static void report(String what, double[] samples) {
        Arrays.sort(samples);
        System.out.printf("RESULT %s: p50 %.1f ns, p99 %.1f ns%n", what, samples[samples.length / 2],
                samples[(int) (samples.length * 0.99)]);
    }
}
