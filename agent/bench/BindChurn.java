import java.net.ServerSocket;

/**
 * Bind-path benchmark subject: binds its hardcoded port (args[0]) and closes it, args[1] times, then prints
 * "CHURN <binds> <total micros>" (the agent grants, records and releases every one of them).
 */
public final class BindChurn {
    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        int binds = Integer.parseInt(args[1]);
        new ServerSocket(port).close(); // the first bind pays class loading and the manager's opening
        long started = System.nanoTime();
        for (int i = 0; i < binds; i++) {
            new ServerSocket(port).close();
        }
        System.out.println("CHURN " + binds + " " + (System.nanoTime() - started) / 1000);
        System.exit(0);
    }
}
