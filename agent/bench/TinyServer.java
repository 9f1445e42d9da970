import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

/**
 * Start-up benchmark subject: binds its hardcoded port (args[0]), reports when it listens, exits. With a second
 * argument it stays up that many milliseconds first and then reports its peak RSS again ("HELD <peak RSS kB>"):
 * the memory of an agent whose background work (the Redis client) has run by then.
 */
public final class TinyServer {
    public static void main(String[] args) throws Exception {
        ServerSocket server = new ServerSocket(Integer.parseInt(args[0]));
        Report.listening(server.getLocalPort());
        if (args.length > 1) {
            Thread.sleep(Long.parseLong(args[1]));
            System.out.println("HELD " + Report.peakRssKb());
        }
        server.close();
        System.exit(0);
    }
}

/** "LISTENING <port> <epoch micros> <peak RSS kB>". */
final class Report {
    static void listening(int port) throws Exception {
        Instant now = Instant.now();
        long micros = now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
        System.out.println("LISTENING " + port + " " + micros + " " + peakRssKb());
    }

    static String peakRssKb() throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmHWM:")) {
                return line.replaceAll("[^0-9]", "");
            }
        }
        return "0";
    }
}
