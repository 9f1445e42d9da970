import java.io.File;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.lang.invoke.MethodHandles;
import java.net.URL;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.StandardOpenOption;
import java.security.ProtectionDomain;
import java.util.Map;
import java.util.Set;
import java.util.zip.CRC32;

/**
 * The least an agent with PortManager's duties can do while an app starts, each step done the cheapest way the JDK
 * offers, so that what it costs is a floor for the start-up goals (agent/bench/floor.sh). The argument lists the steps,
 * {@code dir=<directory>,port=<port>,steps=hook+rewrite+bridge+claim}:
 * <ul>
 *   <li>hook: one transformer registered (from then on the JVM hands every class it loads to Java);
 *   <li>rewrite: java.net.ServerSocket (and sun.nio.ch.ServerSocketChannelImpl, the NIO servers' bind) handed back
 *       as new bytes read from a file cache, keyed by the CRC32 of the original. The bytes are a copy of the original:
 *       the JVM then parses and defines the class instead of mapping it from the CDS archive, which is what a rewritten
 *       class costs. The first run writes the file;
 *   <li>bridge: java.net opened to this agent and one class defined into java.base (the real agent's bridge, whose
 *       bytes the script puts beside this class as {@code bridge.classdata});
 *   <li>claim: the port's 1 KiB record in a shared claims file, locked, read and written, and one byte of it locked
 *       for as long as the JVM lives (the owner's liveness lock); at exit a shutdown hook writes the release.
 * </ul>
 * With {@code -Dfloor.report=true} it prints how long the claim took ("CLAIMED <us>").
 * It has no settings, no class loader of its own, no port decision and no registry: all of those are the real agent's
 * own code, which this measures the room for.
 */
public final class FloorAgent {
    private static final int RECORD = 1024;

    public static void premain(String args, Instrumentation inst) throws Exception {
        String dir = null;
        String steps = "";
        int port = 0;
        for (String item : args.split(",")) {
            int eq = item.indexOf('=');
            String key = item.substring(0, eq);
            String value = item.substring(eq + 1);
            if (key.equals("dir")) {
                dir = value;
            } else if (key.equals("port")) {
                port = Integer.parseInt(value);
            } else if (key.equals("steps")) {
                steps = "+".concat(value).concat("+");
            }
        }
        if (steps.contains("+hook+")) {
            inst.addTransformer(new CachedCopy(steps.contains("+rewrite+") ? new File(dir) : null));
        }
        if (steps.contains("+bridge+")) {
            Module base = Object.class.getModule();
            inst.redefineModule(base, Set.of(), Map.of(), Map.of("java.net", Set.of(FloorAgent.class.getModule())),
                    Set.of(), Map.of());
            byte[] bridge;
            try (InputStream in = FloorAgent.class.getResourceAsStream("/bridge.classdata")) {
                bridge = in.readAllBytes();
            }
            MethodHandles.privateLookupIn(URL.class, MethodHandles.lookup()).defineClass(bridge);
        }
        if (steps.contains("+claim+")) {
            long started = System.nanoTime();
            claim(new File(dir, "claims"), port);
            if (Boolean.getBoolean("floor.report")) { // the first claim's time, as the agent's "decided in" line
                System.out.println(new StringBuilder("CLAIMED ").append((System.nanoTime() - started) / 1000));
            }
        }
    }

    private static void claim(File file, int port) throws IOException {
        FileChannel claims = FileChannel.open(file.toPath(), StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        long at = (long) port * RECORD;
        try (FileLock ignored = claims.lock(at, RECORD - 1, false)) {
            claims.read(ByteBuffer.allocate(RECORD - 1), at);
            // A StringBuilder, not +: the first indy string concatenation costs 10-15 ms, which no claim needs.
            String record = new StringBuilder("port=").append(port).append("\nservice=bench\nstate=ALLOCATED\n")
                    .toString();
            claims.write(ByteBuffer.wrap(record.getBytes(StandardCharsets.UTF_8)), at);
        }
        claims.lock(at + RECORD - 1, 1, false); // held until the JVM exits
        Thread release = new Thread(new Release(claims, at));
        Runtime.getRuntime().addShutdownHook(release);
    }

    private static final class Release implements Runnable {
        private final FileChannel claims;
        private final long at;

        Release(FileChannel claims, long at) {
            this.claims = claims;
            this.at = at;
        }

        @Override
        public void run() {
            try (FileLock ignored = claims.lock(at, RECORD - 1, false)) {
                claims.write(ByteBuffer.wrap("state=RELEASED\n".getBytes(StandardCharsets.UTF_8)), at);
            } catch (IOException e) {
                // the record stays; nothing reads it
            }
        }
    }

    /**
     * Returns the bytes of the class a bind goes through (ServerSocket; ServerSocketChannelImpl for NIO servers such
     * as Netty's) from a file keyed by the original's CRC32; null for every other class.
     */
    private static final class CachedCopy implements ClassFileTransformer {
        private final File dir;

        CachedCopy(File dir) {
            this.dir = dir;
        }

        @Override
        public byte[] transform(ClassLoader loader, String name, Class<?> redefined, ProtectionDomain domain,
                byte[] original) {
            boolean bindClass = "java/net/ServerSocket".equals(name) || "sun/nio/ch/ServerSocketChannelImpl".equals(name);
            if (dir == null || !bindClass) {
                return null;
            }
            CRC32 crc = new CRC32();
            crc.update(original);
            File entry = new File(dir, new StringBuilder(name.replace('/', '.')).append('-').append(original.length)
                    .append('-').append(crc.getValue()).toString());
            try {
                if (entry.isFile()) {
                    try (FileInputStream in = new FileInputStream(entry)) {
                        return in.readAllBytes();
                    }
                }
                try (FileOutputStream out = new FileOutputStream(entry)) {
                    out.write(original);
                }
                return original.clone();
            } catch (IOException e) {
                return null;
            }
        }
    }
}
