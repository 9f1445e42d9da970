package dev.portmanager.samples.demo;

import dev.portmanager.Endpoint;
import dev.portmanager.PortManager;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The processes one demo run started, and nothing else: it starts them, waits until PortManager shows them
 * listening, and stops exactly them (with their children) at the end, on Ctrl-C, or through a pid file later.
 */
public final class Fleet {
    /** JVM flags for every member: nine JVMs share two cores, so favour start-up and footprint over peak speed. */
    private static final List<String> JVM_FLAGS = List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xmx128m");

    /** One started process. {@code member} is null for the demo's unrelated port holder. */
    public record Started(String label, Member member, Process process, Path log) {
        /** The process and every descendant alive now (for `portmanager run`, the python3 it launched). */
        Set<Long> pids() {
            Set<Long> pids = process.descendants().map(ProcessHandle::pid).collect(Collectors.toCollection(HashSet::new));
            pids.add(process.pid());
            return pids;
        }
    }

    private final Settings settings;
    private final List<Started> started = new ArrayList<>();
    private boolean stopped;

    public Fleet(Settings settings) {
        this.settings = settings;
    }

    public Settings settings() {
        return settings;
    }

    public synchronized List<Started> started() {
        return List.copyOf(started);
    }

    /** Told when a member shows up in discovery, and how long after its wave started. */
    public interface Progress {
        void listening(Started s, Endpoint e, double seconds);
    }

    /**
     * Starts the whole fleet and waits until discovery lists every member. Members start in parallel except where
     * order is the story: voice waits for hrm-mlx-service (both hardcode 8085, so voice is the one that moves),
     * and the gateway comes last, as it would in production.
     */
    public List<Started> startAll(PortManager pm, Duration timeout, Progress progress)
            throws IOException, InterruptedException {
        List<Started> members = new ArrayList<>();
        List<Started> wave = new ArrayList<>();
        for (Member m : Member.FLEET) {
            if (m.name().equals("voice") || m.name().equals("go-api-gateway")) {
                awaitWave(wave, pm, timeout, progress);
                wave.clear();
            }
            Started s = start(m);
            members.add(s);
            wave.add(s);
        }
        awaitWave(wave, pm, timeout, progress);
        return members;
    }

    private void awaitWave(List<Started> wave, PortManager pm, Duration timeout, Progress progress)
            throws InterruptedException {
        long t0 = System.nanoTime();
        for (Started s : wave) {
            Endpoint e = awaitListening(s, pm, timeout);
            progress.listening(s, e, (System.nanoTime() - t0) / 1e9);
        }
    }

    /** Starts one member: a JVM under the agent, or python3 under `portmanager run`. */
    public Started start(Member m) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Settings.java());
        cmd.addAll(JVM_FLAGS);
        if (m.isJava()) {
            cmd.add("-javaagent:" + settings.agentJar() + "=service=" + m.name() + ",type=" + m.type()
                    + ",stateDir=" + settings.stateDir() + ",store=" + settings.store()
                    + (m.routes() == null ? "" : ",routes=" + m.routes()));
            cmd.add("-cp");
            cmd.add(settings.samplesJar().toString());
            cmd.add(m.mainClass());
        } else {
            cmd.addAll(List.of("-jar", settings.sidecarJar().toString(), "run", "--service", m.name(), "--type",
                    m.type(), "--preferred", Integer.toString(Member.PYTHON_VISION_PORT), "--",
                    "python3", settings.pythonVision().toString(), "{port}"));
        }
        return launch(m.name(), m, cmd, settings.runDir());
    }

    /**
     * Starts the unrelated process that squats on {@code port}: python3's stock http.server, serving an empty
     * directory, outside PortManager. Empty when something already listens there (another demo's holder, or
     * anything else): that process plays the part instead, and is not ours to stop.
     */
    public Optional<Started> holdPort(int port) throws IOException, InterruptedException {
        if (!Kernel.listenersOf(port).isEmpty() || Probe.accepts(port)) {
            return Optional.empty();
        }
        Path dir = Files.createDirectories(settings.runDir().resolve("holder"));
        Started s = launch("port holder", null, List.of("python3", "-m", "http.server", Integer.toString(port)), dir);
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        long pid = s.process().pid();
        while (!Kernel.listenersOf(port).contains(pid)) { // ours listening, not merely someone
            if (!s.process().isAlive()) {
                if (Probe.accepts(port)) {
                    return Optional.empty(); // another demo's holder won the race for the port: it plays the part
                }
                throw new IllegalStateException("python3 -m http.server " + port + " exited: " + Logs.tail(s.log()));
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("python3 -m http.server " + port + " did not listen within 20 s");
            }
            Thread.sleep(50);
        }
        return Optional.of(s);
    }

    private synchronized Started launch(String label, Member m, List<String> cmd, Path dir) throws IOException {
        if (stopped) {
            throw new Interrupted("the fleet is stopping");
        }
        Path log = settings.runDir().resolve(label.replace(' ', '-') + ".log");
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        settings.applyTo(pb.environment());
        Started s = new Started(label, m, pb.start(), log);
        started.add(s);
        return s;
    }

    /**
     * Waits until discovery lists {@code s} (an endpoint whose pid is the process or one of its children) and
     * returns that endpoint. Fails early, with the log's tail, when the process exits instead.
     */
    public Endpoint awaitListening(Started s, PortManager pm, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Set<Long> pids = s.pids();
            for (Endpoint e : pm.lookup(s.member().name())) {
                if (pids.contains(e.pid())) {
                    return e;
                }
            }
            if (!s.process().isAlive()) {
                int status = s.process().exitValue();
                if (status == 130 || status == 143 || isStopping()) {
                    // Ctrl-C reaches the whole process group: the member died of it, not of a bug.
                    throw new Interrupted(s.label() + " was stopped by a signal (status " + status + ")");
                }
                throw new IllegalStateException(s.label() + " exited with status " + status
                        + " before listening:\n" + Logs.tail(s.log()));
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(s.label() + " was not listed by discovery within "
                        + timeout.toSeconds() + " s:\n" + Logs.tail(s.log()));
            }
            Thread.sleep(100);
        }
    }

    /** Thrown while starting when the run is being interrupted (Ctrl-C), so the demo can say so plainly. */
    public static final class Interrupted extends IllegalStateException {
        Interrupted(String message) {
            super(message);
        }
    }

    public synchronized boolean isStopping() {
        return stopped;
    }

    /** True when {@code pid} is one of ours (a started process or a child of one). */
    public boolean owns(long pid) {
        return started().stream().anyMatch(s -> s.pids().contains(pid));
    }

    /**
     * Stops everything this run started, children included, and waits until it is gone: SIGTERM first so the
     * agent can withdraw registrations, SIGKILL for whatever is still there after 10 s. Returns the processes
     * stopped. Safe to call twice (Ctrl-C during the normal stop).
     */
    public List<ProcessHandle> stop() {
        List<ProcessHandle> all = new ArrayList<>();
        synchronized (this) {
            stopped = true;
            // Collect the whole tree before killing anything: a parent killed first would hand its children
            // to init, and we would no longer know them.
            for (Started s : started) {
                all.add(s.process().toHandle());
                s.process().descendants().forEach(all::add);
            }
        }
        all.forEach(ProcessHandle::destroy);
        awaitExit(all, Duration.ofSeconds(10));
        all.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
        awaitExit(all, Duration.ofSeconds(5));
        return all;
    }

    private static void awaitExit(List<ProcessHandle> handles, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (ProcessHandle h : handles) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return;
            }
            try {
                h.onExit().get(left, java.util.concurrent.TimeUnit.NANOSECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                return;
            } catch (java.util.concurrent.ExecutionException e) {
                // onExit never fails; treat as gone
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Writes {@code pid start-millis label} per process (children included) for a later `demo.sh --stop`. */
    public Path writePidFile() throws IOException {
        List<String> lines = new ArrayList<>();
        for (Started s : started()) {
            List<ProcessHandle> tree = new ArrayList<>();
            tree.add(s.process().toHandle());
            s.process().descendants().forEach(tree::add);
            for (ProcessHandle h : tree) {
                long start = h.info().startInstant().map(java.time.Instant::toEpochMilli).orElse(0L);
                lines.add(h.pid() + " " + start + " " + s.label().replace(' ', '-'));
            }
        }
        Path file = settings.runDir().resolve("fleet.pids");
        Files.write(file, lines);
        return file;
    }
}
