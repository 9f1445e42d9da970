package dev.portmanager.cli;

import dev.portmanager.PortManager;
import dev.portmanager.config.ConfigException;
import dev.portmanager.config.ConfigFile;
import dev.portmanager.config.PortManagerConfig;
import dev.portmanager.http.LocalApi;
import dev.portmanager.registry.RedisStoreUri;
import dev.portmanager.testing.RedisServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A Redis password never appears in any output: malformed store URIs (passwords with / ? # @, an upper-case or
 * misspelled scheme, a bad host, port or database) given to the CLI, the config file, the environment and the
 * config loader; and well-formed ones in {@code services}, the sidecar's status ({@code /health}) and the log lines
 * of an unreachable or refusing Redis.
 */
class RedisSecretsTest {
    /** Each piece between reserved characters is distinctive, so any fragment of the password that leaks is seen. */
    private static final String PASSWORD = "Kq7v/Wm3x?Yp8z#Tn4r@Jd5s";
    private static final List<String> PIECES = List.of("Kq7v", "Wm3x", "Yp8z", "Tn4r", "Jd5s");
    private static final String ENCODED = "Kq7v%2FWm3x%3FYp8z%23Tn4r%40Jd5s";

    @TempDir
    Path dir;

    /** Five malformed store URIs, each carrying the password. */
    static Stream<String> malformed() {
        return Stream.of(
                "redis://app:" + PASSWORD + "@cache.internal:6379/0",   // reserved characters not encoded
                "REDIS://app:" + ENCODED + "@cache.internal:99999",     // upper-case scheme, port out of range
                "rediss//app:" + ENCODED + "@cache.internal:6379",      // misspelled scheme
                "redis://app:" + ENCODED + "@cache internal:6379",      // bad host
                "redis://app:" + ENCODED + "@cache.internal:6379/db2"); // bad database
    }

    static void assertNoPassword(String output) {
        for (String piece : PIECES) {
            if (output.contains(piece)) {
                fail("the password (" + piece + ") leaked into:\n" + output);
            }
        }
    }

    @ParameterizedTest
    @MethodSource("malformed")
    void theParserAndTheStoreCheckNeverQuoteThePassword(String uri) {
        ConfigException e = assertThrows(ConfigException.class, () -> RedisStoreUri.checkStore(uri));
        assertTrue(e.getMessage().contains("Accepted: redis://") || e.getMessage().contains("expected embedded"),
                e.getMessage());
        assertNoPassword(e.getMessage());
        assertNoPassword(RedisStoreUri.redact(uri));
        assertNoPassword(RedisStoreUri.describeStore(uri));
    }

    @ParameterizedTest
    @MethodSource("malformed")
    void theCliOptionSaysWhatIsWrongWithoutThePassword(String uri) {
        Run r = cli("allocations", "--store", uri, "--state-dir", dir.resolve("state").toString());
        assertEquals(2, r.exit, r.toString());
        assertTrue(r.err.contains("--store"), r.toString());
        assertNoPassword(r.out + r.err);
    }

    @ParameterizedTest
    @MethodSource("malformed")
    void theConfigFileSaysWhichLineIsWrongWithoutThePassword(String uri) throws IOException {
        Path config = dir.resolve("config.yaml");
        Files.writeString(config, "lease: 30s\nstore: \"" + uri + "\"\n");
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigFile.load(config));
        assertTrue(e.getMessage().startsWith(config + ":2:"), e.getMessage());
        assertNoPassword(e.getMessage());

        Run r = cli("allocations", "--config", config.toString(), "--state-dir", dir.resolve("state").toString());
        assertNotEquals(0, r.exit, r.toString());
        assertTrue(r.err.contains(config + ":2:"), r.toString());
        assertNoPassword(r.out + r.err);
    }

    @ParameterizedTest
    @MethodSource("malformed")
    void theCoreSaysWhatIsWrongWithoutThePassword(String uri) {
        // what the agent's opener thread reports: the core refusing a store set programmatically
        RuntimeException open = assertThrows(RuntimeException.class, () -> PortManager.open(
                PortManagerConfig.defaults().withStateDir(dir.resolve("state")).withStore(uri)).close());
        assertNoPassword(String.valueOf(open.getMessage()));
    }

    @Test
    void theEnvironmentVariableThroughTheLauncherNeverShowsThePassword() {
        Launcher.Result r = new Launcher(dir).env("PORTMANAGER_STORE", malformed().findFirst().orElseThrow())
                .run("services");
        assertNotEquals(0, r.exit(), r.toString());
        assertTrue(r.err().contains("PORTMANAGER_STORE"), r.toString());
        assertNoPassword(r.out() + r.err());
    }

    @Test
    void servicesAndTheLogOfAnUnreachableRedisNeverShowThePassword() throws IOException {
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort(); // nothing listens there once it is closed
        }
        Launcher.Result r = new Launcher(dir).run("services", "--store",
                "redis://app:" + ENCODED + "@127.0.0.1:" + closed + "/3");
        assertTrue(r.err().contains("redis://127.0.0.1:" + closed + "/3"), r.toString()); // it did say which
        assertNoPassword(r.out() + r.err());
    }

    @Test
    void theStatusAndTheLogOfARefusingRedisNeverShowThePassword() {
        try (RedisServer redis = RedisServer.launch(List.of("--user", "app", "on", ">" + PASSWORD, "~*", "&*",
                "+@all"))) {
            String good = "redis://app:" + ENCODED + "@127.0.0.1:" + redis.port() + "/2";
            List<String> logged = new ArrayList<>();
            var previous = dev.portmanager.Log.setSink(logged::add);
            try (PortManager pm = PortManager.open(PortManagerConfig.defaults()
                    .withStateDir(dir.resolve("state")).withStore(good))) {
                LocalApi api = new LocalApi(pm);
                assertEquals("redis://127.0.0.1:" + redis.port() + "/2", api.status().store());
                assertEquals(List.of(), pm.lookup("nothing-here"));
                assertTrue(pm.registryStale().isEmpty(), "the password works: " + pm.registryStale());
            } finally {
                dev.portmanager.Log.setSink(previous);
            }
            // the server refuses a wrong password: the reason is shown, the password is not
            String wrong = "redis://app:" + ENCODED.replace("Kq7v", "Kq7w") + "@127.0.0.1:" + redis.port();
            try (PortManager pm = PortManager.open(PortManagerConfig.defaults()
                    .withStateDir(dir.resolve("state2")).withStore(wrong))) {
                previous = dev.portmanager.Log.setSink(logged::add);
                try {
                    assertEquals(List.of(), pm.lookup("svc"));
                } finally {
                    dev.portmanager.Log.setSink(previous);
                }
                String stale = pm.registryStale().orElseThrow();
                assertTrue(stale.contains("WRONGPASS"), stale);
                assertNoPassword(stale);
            }
            assertNoPassword(String.join("\n", logged));
            assertNoPassword(String.join("\n", logged).replace("Kq7w", "Kq7v"));
        }
    }

    private static Run cli(String... args) {
        CommandLine cl = Main.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int exit = cl.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    private record Run(int exit, String out, String err) {
        @Override
        public String toString() {
            return "exit " + exit + "\n--- out\n" + out + "--- err\n" + err;
        }
    }
}
