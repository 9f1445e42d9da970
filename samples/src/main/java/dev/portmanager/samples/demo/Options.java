package dev.portmanager.samples.demo;

import dev.portmanager.config.PortManagerConfig;

import java.nio.file.Path;

/**
 * The demo's command line.
 *
 * @param store    {@code embedded} or the redis URI given with --redis
 * @param stateDir the state directory (default: the host's, so that concurrent demos and anything else using
 *                 PortManager on this host arbitrate ports through one place)
 * @param keep     leave the fleet running at the end
 * @param stopDir  with --stop: the run directory whose fleet to stop
 */
record Options(String store, Path stateDir, boolean keep, Path stopDir) {
    static final String USAGE = String.join("\n",
            "usage: samples/demo.sh [--redis URI] [--state-dir DIR] [--keep] [--no-build]",
            "       samples/demo.sh --stop RUN_DIR",
            "",
            "Starts the design's legacy fleet (8 services, hardcoded ports, one of them clashing, one port squatted",
            "by an unrelated process) under the PortManager agent, shows where each service landed and why, calls",
            "each one through the gateway by name, shows utilization and conflicts, then stops what it started.",
            "",
            "  --redis URI      register in Redis (e.g. redis://127.0.0.1:6379/0) instead of the embedded store only",
            "  --state-dir DIR  host-local state directory (default: $PORTMANAGER_STATE_DIR, else",
            "                   $XDG_STATE_HOME/portmanager, else ~/.local/state/portmanager: per user, shared by",
            "                   every PortManager process of this user on this host)",
            "  --keep           leave the fleet running; prints how to explore it and how to stop it",
            "  --no-build       (demo.sh) skip the Maven build",
            "  --stop RUN_DIR   stop a fleet left running by --keep, then remove RUN_DIR");

    static Options parse(String[] args) {
        String store = PortManagerConfig.EMBEDDED_STORE;
        Path stateDir = PortManagerConfig.defaultStateDir();
        boolean keep = false;
        Path stop = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--redis" -> store = value(args, ++i, "--redis");
                case "--state-dir" -> stateDir = Path.of(value(args, ++i, "--state-dir"));
                case "--keep" -> keep = true;
                case "--stop" -> stop = Path.of(value(args, ++i, "--stop"));
                case "-h", "--help" -> throw new UsageException(null);
                default -> throw new UsageException("unknown argument: " + args[i]);
            }
        }
        if (!store.equals(PortManagerConfig.EMBEDDED_STORE) && !store.matches("rediss?://.+")) {
            throw new UsageException("--redis wants a URI such as redis://127.0.0.1:6379/0, not " + store);
        }
        return new Options(store, stateDir.toAbsolutePath(), keep, stop);
    }

    private static String value(String[] args, int i, String flag) {
        if (i >= args.length) {
            throw new UsageException(flag + " needs a value");
        }
        return args[i];
    }

    /** Bad arguments (message) or --help (null message). */
    static final class UsageException extends RuntimeException {
        UsageException(String message) {
            super(message);
        }
    }
}
