package dev.portmanager.samples.discovery;

import dev.portmanager.Endpoint;
import dev.portmanager.discovery.DiscoveryClient;
import dev.portmanager.discovery.ServiceUnavailableException;

import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The other way to follow a service that moved, for code you are willing to change (or that is not run under the
 * agent): look it up by name instead of dialing a port. Lists the live instances of a service, then calls one that
 * accepts connections:
 *
 * <pre>
 * java -cp samples/target/portmanager-samples.jar dev.portmanager.samples.discovery.CallByName emotion
 * </pre>
 *
 * It reads the same settings as the agent and the CLI ({@code PORTMANAGER_STATE_DIR}, {@code PORTMANAGER_STORE},
 * the config file, or a sidecar at {@code PORTMANAGER_URL}). Exit status 1, with the reason, when no instance answers.
 */
public final class CallByName {
    private CallByName() {
    }

    public static void main(String[] args) {
        String service = args.length > 0 ? args[0] : "emotion";
        try (DiscoveryClient discovery = DiscoveryClient.create()) {
            for (Endpoint e : discovery.lookup(service)) {
                System.out.println(service + " instance at " + e.authority() + " on " + e.host() + ", pid " + e.pid());
            }
            System.out.println(call(discovery, service));
        } catch (ServiceUnavailableException | IOException e) {
            System.err.println("CallByName: " + e.getMessage());
            System.exit(1);
        }
    }

    /**
     * GETs {@code /} of a healthy instance of {@code service} and returns the body.
     *
     * @throws ServiceUnavailableException when no instance is registered or none accepts
     */
    public static String call(DiscoveryClient discovery, String service) throws IOException {
        URI base = discovery.baseUri(service); // http://address:port of an instance that accepts connections
        HttpURLConnection c = (HttpURLConnection) base.resolve("/").toURL().openConnection();
        c.setConnectTimeout(2000);
        c.setReadTimeout(5000);
        try (InputStream in = c.getInputStream()) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
        } finally {
            c.disconnect();
        }
    }
}
