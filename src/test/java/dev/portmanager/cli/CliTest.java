package dev.portmanager.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.portmanager.config.PortManagerConfig;
import dev.portmanager.testing.HeldRanges;
import dev.portmanager.testing.PythonHttpServer;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The real launcher script in child processes: help, views, allocate/release, --url, and bad input. */
class CliTest extends LauncherTest {
    private static final List<String> SUBCOMMANDS = List.of("allocations", "utilization", "conflicts", "services",
            "lookup", "health", "allocate", "release", "run", "serve");

    @Test
    void everySubcommandHasHelp() {
        Launcher.Result top = pm.run("--help");
        assertEquals(0, top.exit(), top.toString());
        for (String sub : SUBCOMMANDS) {
            assertTrue(top.out().contains(sub), sub + " missing from --help");
            Launcher.Result r = pm.run(sub, "--help");
            assertEquals(0, r.exit(), r.toString());
            assertTrue(r.out().startsWith("Usage: portmanager " + sub), r.toString());
        }
    }

    @Test
    void allocateOutlivesTheCommandAndReleaseFreesIt() throws Exception {
        Launcher.Result a = pm.run("allocate", "--service", "later", "--type", "testing", "--ttl", "10m");
        assertEquals(0, a.exit(), a.toString());
        int port = Integer.parseInt(a.out().split(" ")[0]);
        assertTrue(pm.ranges().contains("testing", port), a.toString());
        assertTrue(a.out().contains("reserved for later"), a.toString());

        JsonNode all = pm.run("allocations", "--json").json();
        assertEquals(1, all.size(), all.toString());
        assertEquals(port, all.get(0).get("port").asInt());
        assertEquals("RESERVED", all.get(0).get("state").asText());
        assertEquals(600_000, all.get(0).get("leaseMillis").asLong());

        Launcher.Result table = pm.run("allocations");
        assertEquals(0, table.exit(), table.toString());
        assertTrue(table.lines().get(0).startsWith("PORT"), table.toString());
        assertTrue(table.out().contains(port + "  later"), table.toString());

        Launcher.Result r = pm.run("release", String.valueOf(port));
        assertEquals(0, r.exit(), r.toString());
        assertTrue(r.out().contains("released " + port), r.toString());
        assertEquals(0, pm.run("allocations", "--json").json().size());
        Launcher.Result again = pm.run("release", String.valueOf(port));
        assertEquals(1, again.exit(), again.toString());
        assertTrue(again.err().contains("nothing holds port " + port), again.toString());
    }

    @Test
    void aReservedPortIsTheOneTheServiceGetsWhenItStarts() throws Exception {
        Launcher.Result a = pm.run("allocate", "--service", "booked", "--type", "testing");
        assertEquals(0, a.exit(), a.toString());
        String port = a.out().split(" ")[0];
        List<String> args = new ArrayList<>(List.of("run", "--service", "booked", "--"));
        args.addAll(PythonHttpServer.command("{port}", dir));
        try (ChildProcess web = new ChildProcess(pm.builder(args))) {
            Launcher.Result found = pm.awaitLookup("booked");
            assertTrue(found.out().trim().endsWith(":" + port), found.toString());
        }
    }

    @Test
    void viewsPrintTablesAndJson() throws Exception {
        Launcher.Result u = pm.run("utilization");
        assertEquals(0, u.exit(), u.toString());
        assertTrue(u.lines().get(0).startsWith("TYPE"), u.toString());
        assertTrue(u.out().contains("ml") && u.out().contains(pm.ranges().span("ml")), u.toString());
        assertEquals(10, pm.run("utilization", "--json").json().size());

        Launcher.Result s = pm.run("services");
        assertEquals(0, s.exit(), s.toString());
        assertEquals("No services are registered.", s.out().trim());
        assertEquals(0, pm.run("services", "--json").json().size());
    }

    /**
     * The conflicts view on ranges only this test can occupy (the default ones see whatever else runs on the host):
     * none at first, then exactly the one squatter this test adds.
     */
    @Test
    void conflictsShowExactlyTheSquatterAndNothingElse() throws Exception {
        try (HeldRanges quiet = new HeldRanges(Set.of())) {
            String config = quiet.writeConfig(dir.resolve("quiet.yaml")).toString();
            Launcher.Result none = pm.run("--config", config, "conflicts");
            assertEquals("No conflicts.\n", none.out(), none.toString());
            assertEquals(0, pm.run("--config", config, "conflicts", "--json").json().size());
        }
        try (HeldRanges squatted = new HeldRanges(Set.of("ml"))) {
            int port = squatted.port("ml");
            String config = squatted.writeConfig(dir.resolve("squatted.yaml")).toString();
            JsonNode all = pm.run("--config", config, "conflicts", "--json").json();
            assertEquals(1, all.size(), all.toString());
            JsonNode c = all.get(0);
            assertEquals("SQUATTER", c.get("kind").asText(), c.toString());
            assertEquals(port, c.get("port").asInt(), c.toString());
            assertEquals(0, c.get("services").size(), c.toString());
            assertEquals(ProcessHandle.current().pid(), c.get("pid").asLong(), "this test holds it: " + c);
            assertEquals("unmanaged listener in ml " + port + "-" + port, c.get("detail").asText(), c.toString());
            Launcher.Result table = pm.run("--config", config, "conflicts", "--wide");
            assertEquals(0, table.exit(), table.toString());
            assertEquals(2, table.lines().size(), table.toString());
            assertTrue(table.lines().get(0).startsWith("KIND"), table.toString());
            assertTrue(table.lines().get(1).matches("SQUATTER +\\S+ +" + port + " +- +"
                    + ProcessHandle.current().pid() + " .*"), table.toString());
        }
    }

    @Test
    void lookupAndHealthFailWhenNothingRuns() {
        Launcher.Result l = pm.run("lookup", "nobody");
        assertEquals(1, l.exit(), l.toString());
        assertEquals("", l.out());
        assertTrue(l.err().contains("no live instance of 'nobody'"), l.toString());
        Launcher.Result h = pm.run("health", "nobody");
        assertEquals(1, h.exit(), h.toString());
        // A configured service that is not running is known, and DOWN.
        Launcher.Result known = pm.run("health", "go-api-gateway");
        assertEquals(1, known.exit(), known.toString());
        assertTrue(known.out().contains("DOWN"), known.toString());
    }

    @Test
    void everySubcommandWorksThroughASidecar() throws Exception {
        try (Sidecar sidecar = Sidecar.start(pm, List.of(), List.of())) {
            String url = sidecar.url().toString();
            Launcher.Result a = pm.run("--url", url, "allocate", "--service", "remote", "--type", "testing");
            assertEquals(0, a.exit(), a.toString());
            String port = a.out().split(" ")[0];
            JsonNode all = pm.run("--url", url, "allocations", "--json").json();
            assertEquals(port, all.get(0).get("port").asText());
            // The same store read directly agrees.
            assertEquals(port, pm.run("allocations", "--json").json().get(0).get("port").asText());
            JsonNode utilization = pm.run("--url", url, "utilization", "--json").json();
            List<String> types = new ArrayList<>();
            for (JsonNode range : utilization) {
                types.add(range.get("type").asText());
                assertEquals(range.get("type").asText().equals("testing") ? 1 : 0, range.get("allocated").asInt(),
                        "only the reservation is allocated: " + range);
            }
            assertEquals(List.copyOf(PortManagerConfig.defaults().ranges().keySet()), types);
            Launcher.Result services = pm.run("--url", url, "services");
            assertEquals("No services are registered.\n", services.out(), "reserved is not registered: " + services);
            Launcher.Result lookup = pm.run("--url", url, "lookup", "remote");
            assertEquals(1, lookup.exit(), "reserved, not listening: " + lookup);
            assertEquals("", lookup.out(), lookup.toString());
            assertTrue(lookup.err().contains("no live instance of 'remote'"), lookup.toString());
            Launcher.Result health = pm.run("--url", url, "health", "nobody");
            assertEquals(1, health.exit(), health.toString());
            assertTrue(health.err().contains("'nobody'"), health.toString());
            Launcher.Result bad = pm.run("--url", url, "allocate", "--service", "x", "--type", "nope");
            assertEquals(2, bad.exit(), bad.toString());
            assertTrue(bad.err().contains("nope"), bad.toString());
            // Options go after the subcommand too.
            assertEquals(0, pm.run("release", port, "--url", url).exit());
            assertEquals(1, pm.run("--url", url, "release", port).exit());
            // PORTMANAGER_URL does the same as --url.
            Launcher viaEnv = new Launcher(dir.resolve("elsewhere")).env("PORTMANAGER_URL", url);
            Launcher.Result e = viaEnv.run("allocate", "--service", "env", "--type", "testing");
            assertEquals(0, e.exit(), e.toString());
            assertEquals(1, pm.run("allocations", "--json").json().size());
        }
        // The conflicts view through a sidecar, on ranges only this test can occupy: exactly the one squatter.
        try (HeldRanges squatted = new HeldRanges(Set.of("cache"));
             Sidecar quiet = Sidecar.start(new Launcher(dir.resolve("quiet")),
                     List.of("--config", squatted.writeConfig(dir.resolve("squatted.yaml")).toString()), List.of())) {
            JsonNode conflicts = pm.run("--url", quiet.url().toString(), "conflicts", "--json").json();
            assertEquals(1, conflicts.size(), conflicts.toString());
            assertEquals("SQUATTER", conflicts.get(0).get("kind").asText(), conflicts.toString());
            assertEquals(squatted.port("cache"), conflicts.get(0).get("port").asInt(), conflicts.toString());
            assertEquals(ProcessHandle.current().pid(), conflicts.get(0).get("pid").asLong(), conflicts.toString());
        }
        Launcher.Result down = pm.run("--url", "http://127.0.0.1:1", "allocations");
        assertEquals(1, down.exit(), down.toString());
        assertTrue(down.err().contains("cannot reach the sidecar"), down.toString());
    }

    /** Every bad flag or value: exit 2, one message naming the value and what is accepted, no stack trace. */
    @Test
    void badCommandLinesExitTwoWithOneClearMessage() {
        List<String[]> cases = new ArrayList<>();
        cases.add(new String[]{"allocaions", "allocaions"});
        cases.add(new String[]{"--no-such-flag", "--no-such-flag", "allocations"});
        cases.add(new String[]{"'a b' is not accepted", "allocate", "--service", "a b"});
        cases.add(new String[]{"'a:b' is not accepted", "allocate", "--service", "a:b"});
        cases.add(new String[]{"'{x}' is not accepted", "allocate", "--service", "{x}"});
        cases.add(new String[]{"--service", "allocate"});
        cases.add(new String[]{"unknown", "allocate", "--service", "x", "--type", "nope"});
        for (String p : List.of("0", "65536", "-1", "abc", "", "8080.5")) {
            cases.add(new String[]{"expected a whole number from 1 to 65535", "allocate", "--service", "x",
                    "--preferred", p});
            cases.add(new String[]{"expected a whole number from 1 to 65535", "release", p});
        }
        cases.add(new String[]{"PORT", "release"});
        cases.add(new String[]{"ms, s, m, h or d", "allocate", "--service", "x", "--ttl", "5x"});
        cases.add(new String[]{"more than zero", "allocate", "--service", "x", "--ttl", "0s"});
        cases.add(new String[]{"at most", "allocate", "--service", "x", "--ttl", "9999d"});
        cases.add(new String[]{"expected embedded, redis://", "--store", "mysql://x", "allocations"});
        cases.add(new String[]{"http://host:port", "--url", "ftp://x", "allocations"});
        cases.add(new String[]{"http://host:port", "--url", "not a url", "allocations"});
        cases.add(new String[]{"one or the other", "--url", "http://127.0.0.1:1", "--state-dir", "/tmp/x",
                "allocations"});
        cases.add(new String[]{"'a b' is not accepted", "lookup", "a b"});
        cases.add(new String[]{"'x:y' is not accepted", "lookup", "x", "--endpoint", "x:y"});
        cases.add(new String[]{"NAME", "lookup"});
        cases.add(new String[]{"'{port}' is not accepted", "health", "{port}"});
        cases.add(new String[]{"NAME", "health"});
        cases.add(new String[]{"COMMAND", "run", "--service", "x"});
        cases.add(new String[]{"--service", "run", "--", "true"});
        cases.add(new String[]{"'a b' is not accepted", "run", "--service", "a b", "--", "true"});
        cases.add(new String[]{"unknown", "run", "--service", "x", "--type", "nope", "--", "true"});
        cases.add(new String[]{"drop --url", "--url", "http://127.0.0.1:1", "run", "--service", "x", "--", "true"});
        cases.add(new String[]{"0 (any free port) to 65535", "serve", "--port", "70000"});
        cases.add(new String[]{"0 (any free port) to 65535", "serve", "--port", "abc"});
        cases.add(new String[]{"not an address", "serve", "--bind", "no.such.host.invalid", "--port", "0"});
        cases.add(new String[]{"--url does not apply", "--url", "http://127.0.0.1:1", "serve"});
        for (String[] c : cases) {
            List<String> args = List.of(c).subList(1, c.length);
            Launcher.Result r = pm.run(args);
            assertEquals(2, r.exit(), args + " -> " + r);
            assertTrue(r.err().contains(c[0]), args + " should mention '" + c[0] + "' -> " + r);
            assertFalse(r.err().contains("Exception") || r.err().contains("\tat "), args + " -> " + r);
            assertTrue(r.err().lines().count() <= 3, args + " -> " + r);
        }
        assertEquals(0, pm.run("allocations", "--json").json().size(), "no bad command changed anything");
    }

    @Test
    void aBrokenConfigFileIsReportedOnce() throws Exception {
        Path config = dir.resolve("bad.yaml");
        java.nio.file.Files.writeString(config, "ranges:\n  ml: { start: 9000, end: 8000, priority: 2 }\n");
        Launcher.Result r = pm.run("--config", config.toString(), "allocations");
        assertEquals(2, r.exit(), r.toString());
        assertTrue(r.err().contains("bad.yaml"), r.toString());
        assertFalse(r.err().contains("\tat "), r.toString());
    }
}
