package dev.portmanager.samples.demo;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** demo.sh rejects bad flags at once, before spending a minute on the build. */
class DemoScriptTest {
    private static final Path SCRIPT = Path.of(System.getProperty("user.dir"), "demo.sh");

    private record Result(int status, String output) {
    }

    private static Result run(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("bash", SCRIPT.toString()));
        cmd.addAll(List.of(args));
        Path output = Files.createTempFile("demo-sh-", ".out");
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(output.toFile()).start();
            boolean returned = p.waitFor(20, TimeUnit.SECONDS);
            if (!returned) {
                // A demo.sh that went on to build or start the fleet: stop it and everything it started
                // (mvn, java), children first so that none is re-parented and left running.
                List<ProcessHandle> tree = p.descendants().toList();
                tree.forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                for (ProcessHandle h : tree) {
                    h.onExit().get(10, TimeUnit.SECONDS);
                }
                p.waitFor(10, TimeUnit.SECONDS);
            }
            String out = Files.readString(output, StandardCharsets.UTF_8);
            assertTrue(returned, "demo.sh did not return at once for " + List.of(args) + ":\n" + out);
            return new Result(p.exitValue(), out);
        } finally {
            Files.deleteIfExists(output);
        }
    }

    @Test
    void unknownFlag() throws Exception {
        Result r = run("--bogus");
        assertEquals(2, r.status(), r.output());
        assertTrue(r.output().contains("unknown argument: --bogus"), r.output());
        assertTrue(!r.output().contains("Building"), "built before checking its flags:\n" + r.output());
    }

    @Test
    void redisWantsAUri() throws Exception {
        Result r = run("--redis", "localhost:6379");
        assertEquals(2, r.status(), r.output());
        assertTrue(r.output().contains("--redis wants a URI such as redis://127.0.0.1:6379/0"), r.output());
    }

    @Test
    void flagMissingItsValue() throws Exception {
        Result r = run("--keep", "--stop");
        assertEquals(2, r.status(), r.output());
        assertTrue(r.output().contains("--stop needs a value"), r.output());
    }
}
