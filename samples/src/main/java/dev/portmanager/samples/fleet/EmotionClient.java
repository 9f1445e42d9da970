package dev.portmanager.samples.fleet;

import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URL;
import java.nio.charset.StandardCharsets;

/**
 * A legacy batch job that scores texts against emotion on another machine: the host comes from its command line
 * (as it came from an old inventory file), the port is the 8088 emotion always had. It calls TIMES times (default
 * once), a second apart, printing the first line of each answer, or why the call failed.
 *
 * <pre>
 * java -cp samples/target/portmanager-samples.jar dev.portmanager.samples.fleet.EmotionClient HOST [TIMES]
 * </pre>
 */
public final class EmotionClient {
    private static final int EMOTION_PORT = 8088; // hardcoded, as it always was

    public static void main(String[] args) throws InterruptedException {
        String host = args.length > 0 ? args[0] : "localhost";
        int times = args.length > 1 ? Integer.parseInt(args[1]) : 1;
        for (int i = 0; i < times; i++) {
            if (i > 0) {
                Thread.sleep(1000);
            }
            System.out.println(call(host));
        }
    }

    private static String call(String host) {
        try {
            HttpURLConnection c = (HttpURLConnection) new URL("http://" + host + ":" + EMOTION_PORT + "/").openConnection();
            c.setConnectTimeout(3000);
            c.setReadTimeout(5000);
            try (InputStream in = c.getInputStream()) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8).strip().lines().findFirst().orElse("");
            } finally {
                c.disconnect();
            }
        } catch (IOException e) {
            return "emotion at " + host + ":" + EMOTION_PORT + " failed: " + e;
        }
    }
}
