package dev.portmanager.cli;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;

/** A real {@code portmanager serve} child on a free port (port 0, read back from its "listening on" line). */
public final class Sidecar implements AutoCloseable {
    private static final String READY = "portmanager sidecar listening on ";

    private final ChildProcess child;
    private final URI url;

    private Sidecar(ChildProcess child, URI url) {
        this.child = child;
        this.url = url;
    }

    /** Starts {@code portmanager GLOBAL... serve --port 0 SERVE...} and waits until it listens. */
    public static Sidecar start(Launcher launcher, List<String> global, List<String> serveArgs)
            throws InterruptedException {
        List<String> args = new ArrayList<>(global);
        args.add("serve");
        args.add("--port");
        args.add("0");
        args.addAll(serveArgs);
        ChildProcess child = new ChildProcess(launcher.builder(args));
        try {
            // A bound on a hang, not on speed: a JVM start takes tens of seconds on a machine loaded many times over.
            String line = child.awaitLine(l -> l.startsWith(READY), 120_000);
            return new Sidecar(child, URI.create(line.substring(READY.length()).trim()));
        } catch (AssertionError | InterruptedException e) {
            child.close();
            throw e;
        }
    }

    public URI url() {
        return url;
    }

    public URI uri(String path) {
        return URI.create(url + path);
    }

    public ChildProcess child() {
        return child;
    }

    @Override
    public void close() {
        child.close();
    }
}
