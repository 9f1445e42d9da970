package dev.portmanager.cli;

import sun.misc.Signal;
import sun.misc.SignalHandler;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Passes SIGTERM and SIGINT on to the child of {@code run} instead of letting them end this JVM, so that the child
 * shuts down its own way and {@code run} can withdraw the registration and exit with the child's status.
 * sun.misc.Signal (module jdk.unsupported) is the only JDK way to catch a signal without exiting.
 */
final class ChildSignals {
    private static final String[] FORWARDED = {"TERM", "INT"};
    private static final long INT_GRACE_MILLIS = 250;

    private final Map<Signal, SignalHandler> previous = new HashMap<>();

    private ChildSignals() {
    }

    static ChildSignals forward(Process child) {
        ChildSignals s = new ChildSignals();
        for (String name : FORWARDED) {
            Signal signal = new Signal(name);
            s.previous.put(signal, Signal.handle(signal, sig -> send(child, sig.getName())));
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
        if (name.equals("TERM")) {
            child.destroy(); // SIGTERM on POSIX
            return;
        }
        // Ctrl-C in a terminal reaches the whole foreground process group, the child included: pass it on only
        // if the child is still running a moment later, so that it does not get a second SIGINT (which many
        // programs read as "quit now") while it shuts down. kill(1) because the JDK sends only TERM and KILL.
        Thread later = new Thread(() -> {
            try {
                if (child.waitFor(INT_GRACE_MILLIS, TimeUnit.MILLISECONDS)) {
                    return;
                }
                new ProcessBuilder("kill", "-" + name, Long.toString(child.pid())).inheritIO().start();
            } catch (IOException e) {
                child.destroy();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "portmanager-run-signal");
        later.setDaemon(true);
        later.start();
    }
}
