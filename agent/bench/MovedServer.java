import java.net.ServerSocket;

/** Connect-benchmark subject: a legacy server with a hardcoded port (args[0]); prints LISTENING, accepts forever. */
public final class MovedServer {
    public static void main(String[] args) throws Exception {
        ServerSocket server = new ServerSocket(Integer.parseInt(args[0]));
        System.out.println("LISTENING " + server.getLocalPort());
        System.out.flush();
        while (true) {
            server.accept().close();
        }
    }
}
