package dev.portmanager.samples.hosts;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Several hosts on this machine, each a network namespace with its own port space, loopback and address, wired
 * to one bridge through a veth pair. The bridge sits in a namespace of its own, so nothing is added to the root
 * namespace; addresses come from 198.18.0.0/24 (the benchmarking range, RFC 2544) and exist only inside these
 * namespaces. Names carry this JVM's pid and a counter, so concurrent runs never meet. {@link #close()} kills
 * every process inside the namespaces and deletes them (a shutdown hook does the same if the JVM goes first).
 *
 * <p>Needs root and iproute2's {@code ip}: {@link #unavailable()} says why not, for a test to skip with.
 */
final class NetworkHosts implements AutoCloseable {
    private static final AtomicInteger RUNS = new AtomicInteger();
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(20);

    /** One host: its name, its network namespace and the address it has on the bridge. */
    record Host(String name, String namespace, String address) {
    }

    private final String tag;
    private final String bridgeNamespace;
    private final Map<String, Host> hosts = new LinkedHashMap<>();
    private final List<Process> started = new ArrayList<>();
    private final Thread hook = new Thread(this::teardown, "network-hosts-teardown");
    private boolean closed;

    private NetworkHosts(String tag) {
        this.tag = tag;
        this.bridgeNamespace = tag + "-br";
    }

    /** Empty when namespaces can be made here; otherwise why not, in words a skipped test can report. */
    static Optional<String> unavailable() {
        String uid = procStatus("Uid:");
        String realUid = uid == null ? "unknown" : uid.split("\\s+")[0];
        if (!realUid.equals("0")) {
            return Optional.of("network namespaces need root (this runs as uid " + realUid + ")");
        }
        try {
            Result r = exec(List.of("ip", "-V"));
            if (r.status() != 0) {
                return Optional.of("`ip -V` failed: " + r.output());
            }
        } catch (IOException e) {
            return Optional.of("iproute2's `ip` is not installed (apt-get install iproute2): " + e.getMessage());
        }
        return Optional.empty();
    }

    /**
     * Creates the bridge namespace and one namespace per name, addresses 198.18.0.11, .12, ... in that order.
     * On any failure whatever was made is removed again before the exception leaves.
     */
    static NetworkHosts create(String... names) throws IOException {
        NetworkHosts net = new NetworkHosts("pm" + ProcessHandle.current().pid() + "n" + RUNS.incrementAndGet());
        Runtime.getRuntime().addShutdownHook(net.hook);
        try {
            net.ip("netns", "add", net.bridgeNamespace);
            net.ip("-n", net.bridgeNamespace, "link", "add", "br0", "type", "bridge");
            net.ip("-n", net.bridgeNamespace, "link", "set", "br0", "up");
            for (int i = 0; i < names.length; i++) {
                Host h = new Host(names[i], net.tag + "-" + names[i], "198.18.0." + (11 + i));
                String peer = net.tag + "v" + i; // the bridge's end of this host's cable
                net.ip("netns", "add", h.namespace());
                net.hosts.put(h.name(), h);
                net.ip("-n", h.namespace(), "link", "set", "lo", "up");
                net.ip("-n", h.namespace(), "link", "add", "eth0", "type", "veth", "peer", "name", peer,
                        "netns", net.bridgeNamespace);
                net.ip("-n", h.namespace(), "addr", "add", h.address() + "/24", "dev", "eth0");
                net.ip("-n", h.namespace(), "link", "set", "eth0", "up");
                net.ip("-n", net.bridgeNamespace, "link", "set", peer, "master", "br0");
                net.ip("-n", net.bridgeNamespace, "link", "set", peer, "up");
            }
        } catch (IOException | RuntimeException e) {
            net.close();
            throw e;
        }
        return net;
    }

    Host host(String name) {
        Host h = hosts.get(name);
        if (h == null) {
            throw new IllegalArgumentException("no host " + name + " (hosts: " + hosts.keySet() + ")");
        }
        return h;
    }

    /**
     * Starts {@code command} inside {@code host}'s namespace ({@code ip netns exec} execs it, so the process is the
     * command itself), output and errors into {@code log}, in {@code dir}, with exactly {@code env} for PortManager
     * (no PORTMANAGER_ variable of ours leaks in).
     */
    synchronized Process start(Host host, List<String> command, Path dir, Path log, Map<String, String> env)
            throws IOException {
        if (closed) {
            throw new IllegalStateException("these hosts are torn down");
        }
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", host.namespace()));
        cmd.addAll(command);
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.environment().keySet().removeIf(k -> k.startsWith("PORTMANAGER_"));
        pb.environment().putAll(env);
        Process p = pb.start();
        started.add(p);
        return p;
    }

    /** Runs {@code command} inside {@code host} to completion (at most 60 s) and returns its status and output. */
    Result run(Host host, List<String> command, Path dir, Map<String, String> env)
            throws IOException, InterruptedException {
        Path log = Files.createTempFile(dir, "run-", ".log");
        Process p = start(host, command, dir, log, env);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException(command + " on " + host.name() + " did not finish within 60 s: "
                    + Files.readString(log));
        }
        return new Result(p.exitValue(), Files.readString(log));
    }

    /**
     * The TCP ports something listens on inside {@code host}'s namespace, read through {@code process}'s /proc;
     * empty while {@code process} is not in that namespace yet. (Right after start it is still {@code ip} in this
     * JVM's namespace, whose table would show this machine's own listeners.)
     */
    static List<Integer> listeningPorts(Host host, ProcessHandle process) {
        Path proc = Path.of("/proc", Long.toString(process.pid()));
        try {
            Object inode = Files.getAttribute(Path.of("/run/netns", host.namespace()), "unix:ino");
            if (!Files.readSymbolicLink(proc.resolve("ns/net")).toString().equals("net:[" + inode + "]")) {
                return List.of();
            }
        } catch (IOException | UnsupportedOperationException e) {
            return List.of(); // the process is gone
        }
        List<Integer> ports = new ArrayList<>();
        for (String table : List.of("tcp", "tcp6")) {
            List<String> lines;
            try {
                lines = Files.readAllLines(proc.resolve("net").resolve(table));
            } catch (IOException e) {
                continue; // the process is gone, or no IPv6
            }
            for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
                String[] f = line.trim().split("\\s+");
                if (f.length > 3 && f[3].equals("0A")) { // 0A = LISTEN
                    ports.add(Integer.parseInt(f[1].substring(f[1].indexOf(':') + 1), 16));
                }
            }
        }
        return ports;
    }

    /** Kills everything running in the namespaces (ours or not: nothing else can be in them) and deletes them. */
    @Override
    public void close() {
        teardown();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // the JVM is already shutting down: the hook ran teardown, or is running it
        }
    }

    private synchronized void teardown() {
        if (closed) {
            return;
        }
        closed = true;
        List<ProcessHandle> inside = new ArrayList<>();
        started.forEach(p -> inside.add(p.toHandle()));
        List<String> namespaces = new ArrayList<>();
        hosts.values().forEach(h -> namespaces.add(h.namespace()));
        namespaces.add(bridgeNamespace);
        for (String ns : namespaces) {
            try {
                Result r = exec(List.of("ip", "netns", "pids", ns));
                r.output().lines().map(String::strip).filter(l -> l.matches("\\d+"))
                        .forEach(pid -> ProcessHandle.of(Long.parseLong(pid)).ifPresent(inside::add));
            } catch (IOException e) {
                // the namespace was never made
            }
        }
        inside.forEach(ProcessHandle::destroy);
        awaitGone(inside, Duration.ofSeconds(5));
        inside.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
        awaitGone(inside, Duration.ofSeconds(5));
        for (String ns : namespaces) {
            try {
                exec(List.of("ip", "netns", "del", ns)); // takes the veth pairs and the bridge with it
            } catch (IOException e) {
                System.err.println("NetworkHosts: could not delete namespace " + ns + ": " + e.getMessage());
            }
        }
    }

    private static void awaitGone(List<ProcessHandle> processes, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (ProcessHandle h : processes) {
            long left = deadline - System.nanoTime();
            try {
                if (left > 0) {
                    h.onExit().get(left, TimeUnit.NANOSECONDS);
                }
            } catch (Exception e) {
                return; // timed out or interrupted: the caller escalates
            }
        }
    }

    private void ip(String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("ip"));
        cmd.addAll(List.of(args));
        Result r = exec(cmd);
        if (r.status() != 0) {
            throw new IOException(String.join(" ", cmd) + " failed (status " + r.status() + "): " + r.output().strip());
        }
    }

    /** A command's exit status and its output (stdout and stderr together). */
    record Result(int status, String output) {
    }

    private static Result exec(List<String> cmd) throws IOException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try {
            if (!p.waitFor(COMMAND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", cmd) + " did not finish within " + COMMAND_TIMEOUT.toSeconds() + " s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            throw new IOException(String.join(" ", cmd) + " interrupted", e);
        }
        return new Result(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    private static String procStatus(String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(field)) {
                    return line.substring(field.length()).strip();
                }
            }
        } catch (IOException e) {
            // not Linux
        }
        return null;
    }
}
