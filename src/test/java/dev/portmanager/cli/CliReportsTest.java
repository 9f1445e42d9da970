package dev.portmanager.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.portmanager.config.PortRange;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the CLI tells a user (issue 13): where settings come from, the exit status of a partial view, the sidecar's
 * own port, a busy port's holder, help text, suggestions, and the conflict and utilization tables. Real launcher,
 * real sockets.
 */
class CliReportsTest extends LauncherTest {
    /** `--config FILE` and `PORTMANAGER_CONFIG=FILE` are one thing: the environment's state directory wins. */
    @Test
    void theConfigOptionAndVariableAgreeAndTheEnvironmentWinsOverTheFile() throws Exception {
        Path fileState = dir.resolve("from-file");
        Path config = Files.writeString(dir.resolve("pm.yaml"), "stateDir: " + fileState + "\n");
        Launcher.Result viaOption = pm.run("--config", config.toString(), "allocate", "--service", "a", "--type",
                "testing");
        assertEquals(0, viaOption.exit(), viaOption.toString());
        Launcher.Result viaVariable = new Launcher(dir).env("PORTMANAGER_CONFIG", config.toString())
                .run("allocate", "--service", "b", "--type", "testing");
        assertEquals(0, viaVariable.exit(), viaVariable.toString());
        assertFalse(Files.exists(fileState), "the file's stateDir is overridden by PORTMANAGER_STATE_DIR");
        JsonNode all = pm.run("allocations", "--json").json();
        assertEquals(2, all.size(), "both went to $PORTMANAGER_STATE_DIR: " + all);
    }

    /** `~` is $HOME (as in the shell), in the config file's path and in the paths it names. */
    @Test
    void aTildeIsHomeFromTheEnvironment() throws Exception {
        Path home = Files.createDirectories(dir.resolve("another-home"));
        Files.createDirectories(home.resolve(".config/portmanager"));
        Files.writeString(home.resolve(".config/portmanager/config.yaml"), "stateDir: ~/pm-state\n");
        Launcher.Result r = pm.env("HOME", home.toString()).unset("XDG_CONFIG_HOME").unset("PORTMANAGER_STATE_DIR")
                .run("allocate", "--service", "c", "--type", "testing");
        assertEquals(0, r.exit(), r.toString());
        assertTrue(Files.exists(home.resolve("pm-state/claims")), "state under $HOME/pm-state: " + r);
    }

    /** A store that cannot be read gives this host's view, and exit status 3, as --help says. */
    @Test
    void aViewWithoutItsRegistryExitsWithThePartialStatus() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        Launcher.Result r = pm.run("--store", "redis://127.0.0.1:" + closed + "/0", "services");
        assertEquals(3, r.exit(), r.toString());
        assertTrue(r.err().contains("showing this host only"), r.toString());
    }

    /** The sidecar's port is an allocation of its own, never a squatter; it is released when the sidecar stops. */
    @Test
    void theSidecarIsNotASquatterOfItsOwnPort() throws Exception {
        int port = freePortIn(pm.ranges().of("testing"));
        ChildProcess sidecar = new ChildProcess(pm.builder(List.of("serve", "--port", Integer.toString(port))));
        try {
            sidecar.awaitLine(l -> l.startsWith("portmanager sidecar listening on "), 30_000);
            JsonNode conflicts = pm.run("conflicts", "--json").json();
            for (JsonNode c : conflicts) {
                assertTrue(c.get("port").asInt() != port, "the sidecar is listed: " + conflicts);
            }
            JsonNode mine = findPort(pm.run("allocations", "--json").json(), port);
            assertEquals("portmanager-sidecar", mine.get("service").asText(), mine.toString());
            assertEquals("LISTENING", mine.get("state").asText(), mine.toString());
            assertEquals(sidecar.process().toHandle().descendants().anyMatch(h -> h.pid() == mine.get("pid").asLong())
                    || sidecar.process().pid() == mine.get("pid").asLong(), true, mine.toString());
        } finally {
            sidecar.close();
        }
        assertEquals(null, findPort(pm.run("allocations", "--json").json(), port), "released at exit");
    }

    /** A busy port: who holds it, and how to choose another. */
    @Test
    void serveOnABusyPortNamesTheHolderAndSuggestsPort() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Launcher.Result r = pm.run("serve", "--port", Integer.toString(taken.getLocalPort()));
            assertEquals(1, r.exit(), r.toString());
            assertTrue(r.err().startsWith("portmanager serve: cannot listen on 127.0.0.1:" + taken.getLocalPort()),
                    r.toString());
            assertTrue(r.err().contains("held by pid " + ProcessHandle.current().pid() + ": java"), r.toString());
            assertTrue(r.err().contains("--port PORT"), r.toString());
        }
    }

    /** `run` takes its command with or without `--`, says where it goes when the options are wrong, and says its
     *  port on stderr. */
    @Test
    void runSaysItsPortAndWhereTheCommandGoes() {
        Launcher.Result r = pm.run("run", "--service", "echo", "--type", "development", "sh", "-c", "echo $PORT");
        assertEquals(0, r.exit(), r.toString());
        String port = r.out().trim();
        assertTrue(r.err().startsWith("portmanager run: echo on port " + port + " ("), r.toString());
        Launcher.Result wrong = pm.run("run", "--service", "echo", "--bind", "127.0.0.1");
        assertEquals(2, wrong.exit(), wrong.toString());
        assertTrue(wrong.err().startsWith("portmanager run: Unknown option: '--bind'"), wrong.toString());
        assertTrue(wrong.err().contains("after --"), wrong.toString());
    }

    @Test
    void helpKeepsPathsWholeAndGlobalOptionsOnceAndSuggestsTheClosestCommand() {
        Launcher.Result top = pm.run("--help");
        for (String whole : List.of("~/.local/state/portmanager", "~/.config/portmanager/config.yaml",
                "redis://[user:password@]host[:port][/db]", "$XDG_STATE_HOME/portmanager")) {
            assertTrue(top.out().contains(whole), whole + " is cut:\n" + top.out());
        }
        assertTrue(top.out().contains("3   partial result: the Redis registry could not be read"), top.toString());
        Launcher.Result sub = pm.run("conflicts", "--help");
        assertTrue(sub.out().startsWith("Usage: portmanager conflicts [OPTIONS]"), sub.toString());
        assertEquals(1, sub.out().split("--token", -1).length - 1, "global options named once:\n" + sub.out());
        assertTrue(pm.run("run", "--help").out().contains("python3 -m http.server {port}"));

        Launcher.Result typo = pm.run("allocatoins");
        assertEquals(2, typo.exit(), typo.toString());
        assertTrue(typo.err().contains("Did you mean: portmanager allocations?"), typo.toString());
        assertFalse(typo.err().contains("health"), typo.toString());
    }

    /** Infrastructure in a priority-1 range is counted apart; a squatter elsewhere is a row under 120 columns. */
    @Test
    void conflictsKeepInfrastructureApartAndRowsNarrow() throws Exception {
        int db = freePortIn(pm.ranges().of("database"));
        int testing = freePortIn(pm.ranges().of("testing"));
        try (ServerSocket database = new ServerSocket(db, 1, InetAddress.getLoopbackAddress());
             ServerSocket squatter = new ServerSocket(testing, 1, InetAddress.getLoopbackAddress())) {
            Launcher.Result r = pm.run("conflicts");
            assertEquals(0, r.exit(), r.toString());
            assertTrue(r.lines().stream().anyMatch(l -> l.matches("SQUATTER +\\S+ +" + testing + " .*")), r.toString());
            Launcher.Result wide = pm.run("conflicts", "--wide");
            String row = wide.lines().stream().filter(l -> l.matches("SQUATTER +\\S+ +" + testing + " .*")).findFirst()
                    .orElseThrow(() -> new AssertionError(wide.toString()));
            assertTrue(row.matches(".* " + ProcessHandle.current().pid() + " +java.*unmanaged listener in testing "
                    + pm.ranges().span("testing")), row);
            assertFalse(r.lines().stream().anyMatch(l -> l.matches("SQUATTER +\\S+ +" + db + " .*")), r.toString());
            String text = r.out().replace('\n', ' ');
            assertTrue(text.contains(", " + db + " java") || text.contains("(" + db + " java"), r.toString());
            assertTrue(text.contains("--all lists them"), r.toString());
            for (String line : r.lines()) {
                assertTrue(line.length() < 120, line);
            }
            Launcher.Result all = pm.run("conflicts", "--all", "--wide");
            assertTrue(all.lines().stream().anyMatch(l -> l.matches("SQUATTER +\\S+ +" + db + " .*database.*")),
                    all.toString());
        }
    }

    /** A preferred port in another type's range counts for that range's IN RANGE and for its own type's OF TYPE. */
    @Test
    void utilizationShowsTheRangesOccupantsAndTheTypesOwnCount() throws Exception {
        int development = freePortIn(pm.ranges().of("development"));
        Launcher.Result a = pm.run("allocate", "--service", "t", "--type", "testing", "--preferred",
                Integer.toString(development));
        assertEquals(0, a.exit(), a.toString());
        JsonNode u = pm.run("utilization", "--json").json();
        JsonNode dev = byType(u, "development");
        JsonNode test = byType(u, "testing");
        assertEquals(1, dev.get("allocated").asInt(), dev.toString());
        assertEquals(0, dev.get("ofType").asInt(), dev.toString());
        assertEquals(0, test.get("allocated").asInt(), test.toString());
        assertEquals(1, test.get("ofType").asInt(), test.toString());
        Launcher.Result table = pm.run("utilization");
        assertTrue(table.lines().get(0).matches("TYPE +RANGE +NAME +PRIORITY +SIZE +IN RANGE +OF TYPE +UNMANAGED.*"),
                table.toString());
    }

    private static JsonNode byType(JsonNode rows, String type) {
        for (JsonNode r : rows) {
            if (r.get("type").asText().equals(type)) {
                return r;
            }
        }
        throw new AssertionError(type + " not in " + rows);
    }

    private static JsonNode findPort(JsonNode allocations, int port) {
        for (JsonNode a : allocations) {
            if (a.get("port").asInt() == port) {
                return a;
            }
        }
        return null;
    }

    /** A port of {@code range} nothing listens on now (the range is this JVM's own, yet probe rather than guess). */
    static int freePortIn(PortRange range) throws IOException {
        for (int port = range.start(); port <= range.end(); port++) {
            try (ServerSocket probe = new ServerSocket(port)) {
                return port;
            } catch (IOException busy) {
                // try the next one
            }
        }
        throw new IOException("no free port in " + range);
    }
}
