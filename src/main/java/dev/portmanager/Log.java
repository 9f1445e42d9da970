package dev.portmanager;

import java.util.function.Consumer;

/**
 * The core's few diagnostic lines. Deliberately not a logging framework: the agent calls the core on an app's
 * first bind, before which no logging framework may load. Lines go to stderr prefixed {@code [portmanager]}
 * unless a host (the agent, a test) installs its own sink.
 */
public final class Log {
    private static volatile Consumer<String> sink = new Stderr();

    private Log() {
    }

    /** A line worth a human's attention (a damaged file set aside, a registry outage...). */
    public static void warn(String line) {
        sink.accept(line);
    }

    /** Replaces where lines go; returns the previous sink. */
    public static Consumer<String> setSink(Consumer<String> newSink) {
        Consumer<String> old = sink;
        sink = newSink;
        return old;
    }

    /** The default sink. A class, not a lambda: the agent loads this on an app's first bind. */
    private static final class Stderr implements Consumer<String> {
        @Override
        public void accept(String line) {
            System.err.println("[portmanager] " + line);
        }
    }
}
