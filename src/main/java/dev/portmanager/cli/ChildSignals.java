package dev.portmanager.cli;

import sun.misc.Signal;
import sun.misc.SignalHandler;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Passes SIGTERM, SIGINT and SIGHUP on to the child of {@code run} instead of letting them end this JVM, so that
 * the child shuts down (or reloads) its own way and {@code run} can withdraw the registration and exit with the
 * child's status. sun.misc.Signal (module jdk.unsupported) is the only JDK way to catch a signal without exiting.
 *
 * <p>SIGQUIT never reaches Java code: the JVM keeps it for thread dumps and refuses any handler for it (on every
 * JDK, with or without -Xrs). The {@code portmanager} launcher therefore stays this JVM's parent for {@code run},
 * catches SIGQUIT itself and passes it here as SIGUSR2 ({@value #RELAY_ENV} names the launcher); this JVM sends
 * the child SIGQUIT for it. Started as a plain {@code java -jar portmanager.jar run}, a SIGQUIT sent to this JVM
 * prints a thread dump and is not passed on (Ctrl-\ in a terminal still reaches the child, in run's process group).
 */
final class ChildSignals {
    /** Set by the launcher to its pid: it relays SIGQUIT as {@value #RELAYED_QUIT}. */
    static final String RELAY_ENV = "PORTMANAGER_RELAY_PID";
    private static final String RELAYED_QUIT = "USR2";
    private static final String[] FORWARDED = {"TERM", "INT", "HUP"};

    private final Map<Signal, SignalHandler> previous = new HashMap<>();

    private ChildSignals() {
    }

    static ChildSignals forward(Process child) {
        ChildSignals s = new ChildSignals();
        for (String name : FORWARDED) {
            s.handle(name, sig -> send(child, sig.getName()));
        }
        if (relayPid() != null) {
            // never restored: a relayed SIGQUIT that comes after the child ended must not end this JVM (SIGUSR2's
            // default action) while it withdraws the registration
            Signal.handle(new Signal(RELAYED_QUIT), sig -> send(child, "QUIT"));
        }
        return s;
    }

    private void handle(String name, SignalHandler handler) {
        Signal signal = new Signal(name);
        try {
            previous.put(signal, Signal.handle(signal, handler));
        } catch (IllegalArgumentException e) {
            // Ignored by whoever started us (nohup ignores HUP): leave it so, as the child inherits that too.
        }
    }

    /** The launcher that relays signals to this JVM (its parent), or null when run was started otherwise. */
    static ProcessHandle relayPid() {
        String env = System.getenv(RELAY_ENV);
        if (env == null || env.isBlank()) {
            return null;
        }
        try {
            long pid = Long.parseLong(env.trim());
            // only the parent that said so: a variable inherited by some grandchild of a launcher means nothing
            return ProcessHandle.current().parent().filter(p -> p.pid() == pid).orElse(null);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    void restore() {
        previous.forEach(Signal::handle);
    }

    private static void send(Process child, String name) {
        if (!child.isAlive()) {
            return;
        }
        if ((name.equals("INT") || name.equals("QUIT")) && terminalDelivered(child.pid())) {
            // Ctrl-C (Ctrl-\) reaches the whole foreground process group, the child included: a second SIGINT
            // would make many programs skip their orderly shutdown ("press Ctrl-C again to quit").
            return;
        }
        if (name.equals("TERM")) {
            child.destroy(); // SIGTERM on POSIX
            return;
        }
        try {
            // kill(1) because the JDK sends only TERM and KILL.
            new ProcessBuilder("kill", "-" + name, Long.toString(child.pid())).inheritIO().start();
        } catch (IOException e) {
            child.destroy();
        }
    }

    /**
     * Whether a SIGINT (or SIGQUIT) that reached run came from its terminal and so reached the child as well: run is
     * in the foreground process group of a terminal, and the child is still in that group. A heuristic: a signal
     * sent with kill(1) to a run that is its terminal's foreground job is taken for the terminal's too.
     */
    static boolean terminalDelivered(long childPid) {
        long[] self = stat("self");
        long[] child = stat(Long.toString(childPid));
        if (self == null || child == null) {
            return false;
        }
        boolean foreground = self[1] != 0 && self[2] == self[0];
        return foreground && child[0] == self[0];
    }

    /** pgrp, tty_nr and tpgid from /proc/PID/stat; null when unreadable (not Linux, process gone). */
    private static long[] stat(String pid) {
        try {
            String s = Files.readString(Path.of("/proc", pid, "stat"), StandardCharsets.UTF_8);
            // Fields after the command (which may hold spaces and parentheses): state ppid pgrp session tty_nr tpgid
            String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
            return new long[]{Long.parseLong(f[2]), Long.parseLong(f[4]), Long.parseLong(f[5])};
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
