package dev.portmanager.cli;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The command line that starts {@code run}'s command with SIGQUIT deliverable. HotSpot blocks SIGQUIT in every Java
 * thread, and before JDK 20 (JDK-8234262) a process started from Java inherits that mask: the command would never
 * see a SIGQUIT, neither Ctrl-\ from a terminal nor one that run passes on; it stays pending. On such a JDK the
 * command is started through GNU env's {@code --default-signal=QUIT}, which unblocks it (the disposition is the
 * default anyway: the JVM's own handler is reset by exec). Without a GNU env (coreutils 8.31+), the command starts
 * as before and SIGQUIT stays blocked in it.
 */
final class QuitUnblocked {
    private static final String ENV = "/usr/bin/env";
    private static volatile Boolean envWorks;

    private QuitUnblocked() {
    }

    /**
     * {@code command}, prefixed when this JDK blocks SIGQUIT in children and GNU env can undo it.
     *
     * @throws IOException when the command is no executable file (as ProcessBuilder would say on its own)
     */
    static List<String> wrap(List<String> command) throws IOException {
        if (Runtime.version().feature() >= 20 || !envUnblocks()) {
            return command;
        }
        String program = command.get(0);
        if (!isExecutable(program)) {
            // env would report it in its own words, after run had started it: say it as run always did
            throw new IOException("Cannot run program \"" + program + "\": error=2, No such file or directory");
        }
        List<String> wrapped = new ArrayList<>(command.size() + 3);
        wrapped.add(ENV);
        wrapped.add("--default-signal=QUIT");
        wrapped.add("--");
        wrapped.addAll(command);
        return wrapped;
    }

    private static boolean isExecutable(String program) {
        if (program.contains("/")) {
            return Files.isExecutable(Path.of(program)) && !Files.isDirectory(Path.of(program));
        }
        String path = System.getenv("PATH");
        for (String dir : (path == null ? "" : path).split(File.pathSeparator)) {
            Path p = Path.of(dir.isEmpty() ? "." : dir, program);
            if (Files.isExecutable(p) && !Files.isDirectory(p)) {
                return true;
            }
        }
        return false;
    }

    /** Whether this host's env understands --default-signal (asked once per JVM). */
    private static boolean envUnblocks() {
        Boolean known = envWorks;
        if (known == null) {
            known = false;
            try {
                Process p = new ProcessBuilder(ENV, "--default-signal=QUIT", "true")
                        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                known = p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
                if (p.isAlive()) {
                    p.destroyForcibly();
                }
            } catch (IOException e) {
                known = false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            envWorks = known;
        }
        return known;
    }
}
