package dev.portmanager.cli;

import dev.portmanager.Allocation;
import dev.portmanager.AllocationState;
import dev.portmanager.Endpoint;
import dev.portmanager.http.PortManagerApi;
import dev.portmanager.watch.WaitParameters;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

@Command(name = "export", mixinStandardHelpOptions = true,
        description = {"Render the live instances as load-balancer configuration: nginx upstream blocks, HAProxy "
                + "backends, or JSON.",
                "With --watch, re-render on every change, write --out (atomically) when the text changed and run "
                        + "--reload, as consul-template does."})
final class ExportCommand extends Subcommand implements Callable<Integer> {
    /** A reload command that hangs must not stop the next render for long. */
    private static final long RELOAD_TIMEOUT_SECONDS = 60;

    @Parameters(index = "0", paramLabel = "FORMAT", description = "nginx, haproxy or json.")
    String format;

    @Option(names = "--service", paramLabel = "NAME", converter = Converters.Name.class,
            description = "Only this service (rendered even with no live instance); default: every service with "
                    + "a live instance.")
    String service;

    @Option(names = "--out", paramLabel = "FILE", description = "Write here (replaced atomically) instead of "
            + "standard output.")
    Path out;

    @Option(names = "--watch", description = "Keep running: re-render on every change (needs --out).")
    boolean watch;

    @Option(names = "--reload", paramLabel = "CMD", description = "Shell command run after each write of --out "
            + "(e.g. 'nginx -s reload'); a failure is reported and the watch goes on.")
    String reload;

    @Override
    public Integer call() throws Exception {
        LoadBalancerConfig lb;
        try {
            lb = LoadBalancerConfig.parse(format);
        } catch (IllegalArgumentException e) {
            throw usage(e.getMessage());
        }
        if (watch && out == null) {
            throw usage("--watch needs --out FILE: the file to keep up to date");
        }
        if (reload != null && out == null) {
            throw usage("--reload needs --out FILE: it runs after the file is written");
        }
        try (PortManagerApi api = root.openApi()) {
            String last = null;
            long index = api.index();
            while (true) {
                String text = lb.render(live(api.allocations()));
                if (out == null) {
                    out().print(text);
                    out().flush();
                } else if (!text.equals(last)) {
                    write(out, text);
                    if (reload != null && !runReload()) {
                        if (!watch) {
                            return ErrorHandlers.FAILURE;
                        }
                    }
                }
                last = text;
                if (!watch) {
                    return 0;
                }
                index = api.awaitChange(index, WaitParameters.MAX_WAIT);
            }
        }
    }

    /** Listening allocations by service (sorted), each service's instances by address and port. */
    private Map<String, List<Endpoint>> live(List<Allocation> all) {
        Map<String, List<Endpoint>> byService = new TreeMap<>();
        if (service != null) {
            byService.put(service, new ArrayList<>());
        }
        for (Allocation a : all) {
            if (a.state() != AllocationState.LISTENING || (service != null && !service.equals(a.service()))) {
                continue;
            }
            byService.computeIfAbsent(a.service(), k -> new ArrayList<>()).add(Endpoint.of(a));
        }
        byService.values().forEach(l -> l.sort(Comparator.comparing(Endpoint::address)
                .thenComparingInt(Endpoint::port)));
        return byService;
    }

    private static void write(Path file, String text) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Path tmp = Files.createTempFile(dir, "." + file.getFileName(), ".tmp");
        try {
            Files.writeString(tmp, text, StandardCharsets.UTF_8);
            try {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Runs the reload command with sh -c, its output passed through; false (reported) when it fails. */
    private boolean runReload() throws InterruptedException {
        try {
            Process p = new ProcessBuilder("sh", "-c", reload).inheritIO().start();
            if (!p.waitFor(RELOAD_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                err().println("export: --reload command did not finish within " + RELOAD_TIMEOUT_SECONDS
                        + " s; killed it");
                err().flush();
                return false;
            }
            if (p.exitValue() != 0) {
                err().println("export: --reload command exited with status " + p.exitValue() + ": " + reload);
                err().flush();
                return false;
            }
            return true;
        } catch (IOException e) {
            err().println("export: cannot run --reload command: " + e.getMessage());
            err().flush();
            return false;
        }
    }
}
