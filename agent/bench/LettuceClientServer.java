import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;

import java.net.ServerSocket;

/**
 * The Redis client's memory floor (agent/bench/floor.sh, agent/bench/memory.sh): TinyServer's bind and report,
 * then, with no agent, the least a Lettuce registry does: a client, one connection, one write with a time to live
 * and one read. It stays up {@code args[2]} ms and reports its peak RSS again ("HELD <peak RSS kB>"), as TinyServer
 * does with a Redis store. Without a Redis URI ({@code -}) it only holds: the baseline.
 */
public final class LettuceClientServer {
    public static void main(String[] args) throws Exception {
        ServerSocket server = new ServerSocket(Integer.parseInt(args[0]));
        Report.listening(server.getLocalPort());
        RedisClient client = null;
        if (!args[1].equals("-")) {
            client = RedisClient.create(args[1]);
            StatefulRedisConnection<String, String> connection = client.connect();
            connection.sync().setex("bench:" + server.getLocalPort(), 30, "listening");
            connection.sync().get("bench:" + server.getLocalPort());
        }
        Thread.sleep(Long.parseLong(args[2]));
        System.out.println("HELD " + Report.peakRssKb());
        if (client != null) {
            client.shutdown();
        }
        server.close();
        System.exit(0);
    }
}
