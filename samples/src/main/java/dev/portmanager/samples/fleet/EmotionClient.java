package dev.portmanager.samples.fleet;

import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URL;
import java.nio.charset.StandardCharsets;

/**
 * A legacy batch job that scores texts against emotion on another machine: the host comes from its command line
 * (as it came from an old inventory file), the port is the 8088 emotion always had. Prints emotion's answer;
 * exit status 1 when the call fails.
 *
 * <pre>
 * java -cp samples/target/portmanager-samples.jar dev.portmanager.samples.fleet.EmotionClient HOST
 * </pre>
 */
public final class EmotionClient {
    private static final int EMOTION_PORT = 8088; // hardcoded, as it always was

    public static void main(String[] args) {
        String host = args.length > 0 ? args[0] : "localhost";
        try {
            HttpURLConnection c = (HttpURLConnection) new URL("http://" + host + ":" + EMOTION_PORT + "/").openConnection();
            c.setConnectTimeout(3000);
            c.setReadTimeout(5000);
            try (InputStream in = c.getInputStream()) {
                System.out.println(new String(in.readAllBytes(), StandardCharsets.UTF_8).strip());
            } finally {
                c.disconnect();
            }
        } catch (IOException e) {
            System.out.println("emotion at " + host + ":" + EMOTION_PORT + " failed: " + e);
            System.exit(1);
        }
    }
}
