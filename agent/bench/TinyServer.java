import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

/** Start-up benchmark subject: binds its hardcoded port (args[0]), reports when it listens, exits. */
public final class TinyServer {
    public static void main(String[] args) throws Exception {
        ServerSocket server = new ServerSocket(Integer.parseInt(args[0]));
        Report.listening(server.getLocalPort());
        server.close();
        System.exit(0);
    }
}

/** "LISTENING <port> <epoch micros> <peak RSS kB>". */
final class Report {
    static void listening(int port) throws Exception {
        Instant now = Instant.now();
        long micros = now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
        String hwm = "0";
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmHWM:")) {
                hwm = line.replaceAll("[^0-9]", "");
            }
        }
        System.out.println("LISTENING " + port + " " + micros + " " + hwm);
    }
}
