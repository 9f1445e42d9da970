package dev.portmanager.cli;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code portmanager run} with real non-JVM commands, through the real launcher. */
class CliRunTest {
    @TempDir
    Path dir;
    Launcher pm;

    @BeforeEach
    void setUp() {
        pm = new Launcher(dir);
    }

    @Test
    void aPythonHttpServerJoinsTheFleetAndLeavesWhenItStops() throws Exception {
        // Loopback only, serving an empty directory of this test's own (never the module's files, never the LAN).
        Path www = Files.createDirectories(dir.resolve("www"));
        try (ChildProcess run = new ChildProcess(pm.builder(List.of("run", "--service", "vision", "--type", "ml",
                "--", "python3", "-m", "http.server", "{port}", "--bind", "127.0.0.1", "--directory",
                www.toString())))) {
            Launcher.Result lookup = awaitLookup("vision");
            List<String> lines = lookup.lines();
            assertEquals(1, lines.size(), lookup.toString());
            String authority = lines.get(0);
            int port = Integer.parseInt(authority.substring(authority.lastIndexOf(':') + 1));
            assertTrue(port >= 8300 && port <= 8499, authority);

            // It really is the python server on that port.
            HttpResponse<String> page = HttpClient.newBuilder().proxy(HttpClient.Builder.NO_PROXY).build()
                    .send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/")).build(),
                            HttpResponse.BodyHandlers.ofString());
            assertEquals(200, page.statusCode());
            assertTrue(page.body().contains("Directory listing"), page.body());

            Launcher.Result health = pm.run("health", "vision");
            assertEquals(0, health.exit(), health.toString());
            assertTrue(health.out().contains("UP"), health.toString());
            Launcher.Result services = pm.run("services");
            assertTrue(services.out().contains("vision") && services.out().contains(String.valueOf(port)),
                    services.toString());

            run.terminate();
            int status = run.awaitExit(15_000);
            assertEquals(143, status, "python died of the forwarded SIGTERM: " + run.output());
            Launcher.Result after = pm.run("lookup", "vision");
            assertEquals(1, after.exit(), "gone from discovery: " + after);
            assertEquals(0, CliTest.json(pm.run("allocations", "--json")).size());
        }
    }

    @Test
    void exitStatusIsTheCommands() {
        Launcher.Result r = pm.run("run", "--service", "quitter", "--", "sh", "-c", "exit 3");
        assertEquals(3, r.exit(), r.toString());
        assertEquals(0, pm.run("run", "--service", "ok", "--", "true").exit());
        Launcher.Result missing = pm.run("run", "--service", "ghost", "--", "/no/such/command");
        assertEquals(127, missing.exit(), missing.toString());
        assertTrue(missing.err().contains("cannot start '/no/such/command'"), missing.toString());
        assertEquals(0, CliTest.json(pm.run("allocations", "--json")).size(), "nothing left behind");
    }

    @Test
    void thePortIsInTheEnvironmentAndTheArguments() {
        Launcher.Result r = pm.run("run", "--service", "echo", "--type", "development", "--",
                "sh", "-c", "echo \"env=$PORT arg=$0 inner=$1\"", "{port}", "--listen=:{port}");
        assertEquals(0, r.exit(), r.toString());
        String line = r.lines().get(0);
        String port = line.substring(4, line.indexOf(' '));
        assertEquals("env=" + port + " arg=" + port + " inner=--listen=:" + port, line);
        int p = Integer.parseInt(port);
        assertTrue(p >= 9000 && p <= 9499, line);
    }

    @Test
    void sigintIsPassedToTheCommand() throws Exception {
        Path script = dir.resolve("interruptible.py");
        Files.writeString(script, String.join("\n",
                "import socket, sys, time",
                "s = socket.socket(); s.bind(('127.0.0.1', int(sys.argv[1]))); s.listen(8)",
                "try:",
                "    time.sleep(60)",
                "except KeyboardInterrupt:",
                "    print('interrupted', flush=True); sys.exit(42)", ""));
        // A JVM started from a background job inherits SIGINT as ignored; restore the default first, as an
        // interactive shell would, so that the test does not depend on how the build was started.
        List<String> args = new java.util.ArrayList<>(List.of("python3", "-c",
                "import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); os.execv(sys.argv[1], sys.argv[1:])",
                Launcher.script().toString(), "run", "--service", "intr", "--", "python3", script.toString(), "{port}"));
        ProcessBuilder pb = pm.builder(List.of());
        pb.command(args);
        try (ChildProcess run = new ChildProcess(pb)) {
            awaitLookup("intr");
            Process kill = new ProcessBuilder("kill", "-INT", Long.toString(run.process().pid())).start();
            assertTrue(kill.waitFor(10, java.util.concurrent.TimeUnit.SECONDS), "kill -INT returned");
            assertEquals(0, kill.exitValue());
            assertEquals(42, run.awaitExit(15_000), run.output());
            assertTrue(run.output().contains("interrupted"), run.output());
            assertEquals(1, pm.run("lookup", "intr").exit());
        }
    }

    @Test
    void healthUsesTheConfiguredHttpPath() throws Exception {
        Path www = Files.createDirectories(dir.resolve("www"));
        Files.writeString(www.resolve("ok.txt"), "fine");
        Path config = dir.resolve("health.yaml");
        Files.writeString(config, String.join("\n",
                "services:",
                "  good: { type: testing, healthPath: /ok.txt }",
                "  bad: { type: testing, healthPath: /missing.txt }", ""));
        Launcher withConfig = pm.env("PORTMANAGER_CONFIG", config.toString());
        try (ChildProcess good = new ChildProcess(withConfig.builder(List.of("run", "--service", "good", "--",
                "python3", "-m", "http.server", "{port}", "--bind", "127.0.0.1", "--directory", www.toString())));
             ChildProcess bad = new ChildProcess(withConfig.builder(List.of("run", "--service", "bad", "--",
                     "python3", "-m", "http.server", "{port}", "--bind", "127.0.0.1", "--directory",
                     www.toString())))) {
            awaitLookup("good");
            awaitLookup("bad");
            Launcher.Result up = withConfig.run("health", "good");
            assertEquals(0, up.exit(), up.toString());
            assertTrue(up.out().contains("GET /ok.txt") && up.out().contains("HTTP 200"), up.toString());
            // Accepting connections is not enough when the service names a health path that fails.
            Launcher.Result down = withConfig.run("health", "bad");
            assertEquals(1, down.exit(), down.toString());
            assertTrue(down.out().contains("DOWN") && down.out().contains("HTTP 404"), down.toString());
        }
    }

    private Launcher.Result awaitLookup(String name) throws InterruptedException {
        long end = System.currentTimeMillis() + 120_000;
        Launcher.Result r = pm.run("lookup", name);
        while (r.exit() != 0 && System.currentTimeMillis() < end) {
            Thread.sleep(200);
            r = pm.run("lookup", name);
        }
        assertEquals(0, r.exit(), r.toString());
        return r;
    }
}
