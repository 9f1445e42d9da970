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
 * <p>SIGQUIT cannot be passed on: the JVM keeps it for thread dumps and refuses any handler for it (on every
 * JDK, with or without -Xrs). Ctrl-\ in a terminal still reaches the child, which shares run's process group.
 */
final class ChildSignals {
    private static final String[] FORWARDED = {"TERM", "INT", "HUP"};

    private final Map<Signal, SignalHandler> previous = new HashMap<>();

    private ChildSignals() {
    }

    static ChildSignals forward(Process child) {
        ChildSignals s = new ChildSignals();
        for (String name : FORWARDED) {
            Signal signal = new Signal(name);
            try {
                s.previous.put(signal, Signal.handle(signal, sig -> send(child, sig.getName())));
            } catch (IllegalArgumentException e) {
                // Ignored by whoever started us (nohup ignores HUP): leave it so, as the child inherits that too.
            }
        }
        return s;
    }

    void restore() {
        previous.forEach(Signal::handle);
    }

    private static void send(Process child, String name) {
        if (!child.isAlive()) {
            return;
        }
        if (name.equals("INT") && terminalDelivered(child.pid())) {
            // Ctrl-C reaches the whole foreground process group, the child included: a second SIGINT would make
            // many programs skip their orderly shutdown ("press Ctrl-C again to quit").
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
     * Whether a SIGINT that reached run came from its terminal and so reached the child as well: run is in the
     * foreground process group of a terminal, and the child is still in that group.
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
