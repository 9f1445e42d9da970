package dev.portmanager.samples.demo;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where everything the fleet needs lives, and which PortManager state it shares.
 *
 * @param home     the repository root (the jars are found under it, where `mvn package` leaves them)
 * @param stateDir the host-local state directory every member allocates in
 * @param store    {@code embedded} or a redis URI
 * @param runDir   this run's own directory: logs, the pid file, the port holder's empty working directory
 * @param configHome where the members look for {@code portmanager/config.yaml} (their {@code XDG_CONFIG_HOME}), or
 *                 null for wherever this process looks (the demo: the user's own config applies to the fleet too)
 */
public record Settings(Path home, Path stateDir, String store, Path runDir, Path configHome) {

    /** Members read the same config file as this process. */
    public Settings(Path home, Path stateDir, String store, Path runDir) {
        this(home, stateDir, store, runDir, null);
    }

    public Path agentJar() {
        return home.resolve("agent/target/portmanager-agent.jar");
    }

    public Path sidecarJar() {
        return home.resolve("src/target/portmanager.jar");
    }

    public Path samplesJar() {
        return home.resolve("samples/target/portmanager-samples.jar");
    }

    public Path pythonVision() {
        return home.resolve("samples/python/python_vision.py");
    }

    /** The java binary running us: children run on the same JDK. */
    public static String java() {
        return ProcessHandle.current().info().command().orElse("java");
    }

    /**
     * Environment for every child: the agent and `portmanager run` read the core's configuration, so these two
     * variables put them on the same state and store; with a {@code configHome}, also where they look for a config
     * file. Set them with {@link #applyTo}.
     */
    public Map<String, String> env() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PORTMANAGER_STATE_DIR", stateDir.toString());
        env.put("PORTMANAGER_STORE", store);
        if (configHome != null) {
            env.put("XDG_CONFIG_HOME", configHome.toString());
        }
        return env;
    }

    /**
     * Sets {@link #env} in a child's environment. With a {@code configHome}, a config file named by this process's
     * {@code PORTMANAGER_CONFIG} is not the child's either: the variable is removed (the agent refuses a blank one).
     */
    public void applyTo(Map<String, String> environment) {
        environment.putAll(env());
        if (configHome != null) {
            environment.remove("PORTMANAGER_CONFIG");
        }
    }

    /** A missing jar means the build did not run: say which, and how to build it. */
    public void requireBuilt() {
        for (Path jar : new Path[] {agentJar(), sidecarJar(), samplesJar()}) {
            if (!Files.isRegularFile(jar)) {
                throw new IllegalStateException(jar + " is missing: build it with `mvn -pl samples -am package -DskipTests`"
                        + " (samples/demo.sh does this for you)");
            }
        }
    }
}
