package dev.portmanager.agent.it;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Issue 11, host-wide use: {@code JAVA_TOOL_OPTIONS=-javaagent:portmanager-agent.jar} reaches every JVM on the
 * host. The real JDK tools and Maven run with it and must work as without it, print nothing of ours and leave no
 * trace in the state directory; the include and exclude settings move the line between skipped and managed.
 */
class HostWideIT {
    private static final String SUBJECTS = "dev.portmanager.agent.subjects.";
    private static final String GRADLE_DAEMON = "org.gradle.launcher.daemon.bootstrap.GradleDaemon";
    private static final String KOTLIN_DAEMON = "org.jetbrains.kotlin.daemon.KotlinCompileDaemon";

    /** The real tools, each with the one check that it did its job. */
    enum Tool {
        JAVAC, JAR, JSHELL, KEYTOOL, JPS, JCMD, JSTACK, JAVADOC, JLINK, MAVEN
    }

    static Stream<Arguments> tools() {
        List<Arguments> all = new ArrayList<>();
        for (Jdk jdk : Jdk.all()) {
            for (Tool tool : Tool.values()) {
                all.add(Arguments.of(jdk, tool));
            }
        }
        return all.stream();
    }

    static List<Jdk> jdks() {
        return Jdk.all();
    }

    /**
     * An agent that starts creates its state directory at once, in the background, even without a bind (jshell's
     * remote JVM with {@code PORTMANAGER_INCLUDE=jdk.jshell.execution.*} does): so no directory also shows that
     * the JVMs a tool starts, like jshell's remote one, were skipped.
     */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("tools")
    void aToolWorksPrintsNothingOfOursAndLeavesNoAllocation(Jdk jdk, Tool tool, @TempDir Path work) throws Exception {
        Path stateDir = work.resolve("state");
        String options = agentOption(stateDir);
        List<String> ours = runTool(jdk, tool, work, options);
        assertEquals(List.of(), ours, tool + " on " + jdk);
        assertFalse(Files.exists(stateDir), "no allocation, not even a state directory: " + tool);
    }

    /** With debug on, a skip says so in exactly one line: proof that the check ran, not that the agent failed. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void withDebugASkippedToolSaysSoInOneLine(Jdk jdk, @TempDir Path work) throws Exception {
        Path stateDir = work.resolve("state");
        List<String> ours = runTool(jdk, Tool.JAVAC, work, agentOption(stateDir) + " -Dportmanager.debug=true");
        assertEquals(List.of("[portmanager] not started in com.sun.tools.javac.Main: on the default exclude list"),
                ours);
        assertFalse(Files.exists(stateDir));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void aMainClassNamedLikeABuildDaemonIsSkipped(Jdk jdk, @TempDir Path work) throws Exception {
        for (String daemon : List.of(GRADLE_DAEMON, KOTLIN_DAEMON)) {
            assertSkipped(jdk, work.resolve("state-" + daemon), "", daemon);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void anIncludeBringsASkippedDaemonBackUnderManagement(Jdk jdk, @TempDir Path work) throws Exception {
        assertMoved(jdk, work, Map.of("PORTMANAGER_INCLUDE", "org.gradle.*"), GRADLE_DAEMON);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void anExcludeGlobSkipsAnOrdinaryApp(Jdk jdk, @TempDir Path work) throws Exception {
        assertSkipped(jdk, work.resolve("state"), " -Dportmanager.exclude=com.acme.*;*.subjects.Server*",
                SUBJECTS + "ServerSocketApp");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void aNormalAppStillMoves(Jdk jdk, @TempDir Path work) throws Exception {
        assertMoved(jdk, work, Map.of("PORTMANAGER_EXCLUDE", "com.acme.*"), SUBJECTS + "ServerSocketApp");
    }

    /** Fail-open: a bad glob is one line naming what is accepted, and the app runs as if there were no agent. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void aBadGlobIsOneLineAndTheAppRunsUntouched(Jdk jdk, @TempDir Path work) throws Exception {
        Path stateDir = work.resolve("state");
        int wanted = Ports.free();
        try (ChildJvm app = java(jdk, work, agentOption(stateDir), Map.of("PORTMANAGER_EXCLUDE", "com.acme.[Main"),
                SUBJECTS + "ServerSocketApp", wanted)) {
            assertEquals(wanted, app.awaitListening(), app.toString());
            app.awaitStderr("[portmanager]");
            assertEquals(List.of("[portmanager] bad value 'com.acme.[Main' for $PORTMANAGER_EXCLUDE: expected globs "
                    + "matching main class names or jar file names, separated by ';' (* ? [a-z] {a,b}, as in "
                    + "java.nio.file.FileSystem#getPathMatcher; e.g. com.acme.*;legacy-*.jar); every bind goes ahead "
                    + "as asked"), ourLinesAtExit(app));
            assertFalse(Files.exists(stateDir), app.toString());
        }
    }

    // ---- helpers ---------------------------------------------------------------------------------------------

    /**
     * Runs {@code main} (a ServerSocketApp) on a taken port with the agent in JAVA_TOOL_OPTIONS and {@code env},
     * and asserts the agent managed it: moved into ml, claimed in the state directory, its one line said so.
     */
    private static void assertMoved(Jdk jdk, Path work, Map<String, String> env, String main) throws Exception {
        Path stateDir = work.resolve("state");
        try (ServerSocket taken = Ports.hold();
             ChildJvm app = java(jdk, work, agentOption(stateDir), env, main, taken.getLocalPort())) {
            int port = app.awaitListening();
            assertTrue(Ports.inRange("ml", port), "the taken port moved: " + app);
            assertEquals("HELLO serversocket", Ports.request(port, false));
            assertEquals(List.of(port), ports(stateDir), app.toString());
            app.awaitStderr("[portmanager]");
            List<String> ours = ourLinesAtExit(app);
            assertEquals(1, ours.size(), app.toString());
            assertTrue(ours.get(0).startsWith("[portmanager] hostwide: " + taken.getLocalPort() + " -> " + port + " ("),
                    "the agent's one line on a move: " + app);
        }
    }

    /**
     * Runs {@code main} on a free port with the agent in JAVA_TOOL_OPTIONS (plus {@code moreOptions}) and asserts
     * it was skipped: the port as asked, no line of ours, no state directory.
     */
    private static void assertSkipped(Jdk jdk, Path stateDir, String moreOptions, String main) throws Exception {
        int wanted = Ports.free();
        try (ChildJvm app = java(jdk, stateDir.getParent(), agentOption(stateDir) + moreOptions, Map.of(), main, wanted)) {
            assertEquals(wanted, app.awaitListening(), app.toString());
            assertEquals(List.of(), ourLinesAtExit(app), app.toString());
            assertFalse(Files.exists(stateDir), app.toString());
        }
    }

    private static String agentOption(Path stateDir) {
        return "-javaagent:" + AgentJar.path().toAbsolutePath() + "=service=hostwide,type=ml,stateDir=" + stateDir;
    }

    /** {@code java -cp subjects main port} started the host-wide way: the agent only in JAVA_TOOL_OPTIONS. */
    private static ChildJvm java(Jdk jdk, Path work, String toolOptions, Map<String, String> env, String main, int port)
            throws IOException {
        Map<String, String> all = new java.util.HashMap<>(env);
        all.put("JAVA_TOOL_OPTIONS", toolOptions);
        return ChildJvm.command(List.of(jdk.java().toString(), "-cp", AgentJar.subjects(), main,
                Integer.toString(port)), all, work);
    }

    /**
     * Runs {@code tool} with {@code JAVA_TOOL_OPTIONS=toolOptions}, asserts it did its job and that the JVM
     * reported the options (so the agent was really in play); returns the lines of ours it printed.
     */
    private static List<String> runTool(Jdk jdk, Tool tool, Path work, String toolOptions) throws Exception {
        Path bin = jdk.home().resolve("bin");
        Files.writeString(work.resolve("Hello.java"),
                "/** Greets. */\npublic class Hello {\n    /** Prints hello. @param a ignored */\n"
                        + "    public static void main(String[] a) { System.out.println(\"hello\"); }\n}\n");
        Map<String, String> env = Map.of("JAVA_TOOL_OPTIONS", toolOptions, "JAVA_HOME", jdk.home().toString());
        try (ChildJvm target = tool == Tool.JSTACK ? ChildJvm.start(jdk, null, List.of(), AgentJar.subjects(),
                SUBJECTS + "ServerSocketApp", "0") : null) {
            List<String> command = switch (tool) {
                case JAVAC -> List.of(bin.resolve("javac").toString(), "-d", "out", "Hello.java");
                case JAR -> List.of(bin.resolve("jar").toString(), "--create", "--file", "hello.jar",
                        "Hello.java");
                case JSHELL -> List.of(bin.resolve("jshell").toString(), "-q");
                case KEYTOOL -> List.of(bin.resolve("keytool").toString(), "-genkeypair", "-alias", "t",
                        "-dname", "CN=t", "-keyalg", "EC", "-storepass", "changeit", "-keystore", "ks.p12");
                case JPS -> List.of(bin.resolve("jps").toString(), "-l");
                case JCMD -> List.of(bin.resolve("jcmd").toString(), "-l");
                case JSTACK -> {
                    target.awaitListening(); // the target is up and past its start
                    yield List.of(bin.resolve("jstack").toString(), Long.toString(target.pid()));
                }
                case JAVADOC -> List.of(bin.resolve("javadoc").toString(), "-quiet", "-d", "doc", "Hello.java");
                case JLINK -> List.of(bin.resolve("jlink").toString(), "--list-plugins");
                case MAVEN -> List.of(maven(), "-v");
            };
            try (ChildJvm run = ChildJvm.command(command, env, work)) {
                if (tool == Tool.JSHELL) {
                    run.sendLine("System.out.println(6 * 7)");
                    run.sendLine("/exit");
                }
                assertEquals(0, run.awaitExit(), run.toString());
                String out = String.join("\n", run.stdout());
                switch (tool) {
                    case JAVAC -> assertTrue(Files.isRegularFile(work.resolve("out/Hello.class")), run.toString());
                    case JAR -> assertTrue(Files.size(work.resolve("hello.jar")) > 0, run.toString());
                    case JSHELL -> assertTrue(out.contains("42"), run.toString());
                    case KEYTOOL -> assertTrue(Files.size(work.resolve("ks.p12")) > 0, run.toString());
                    case JPS -> assertTrue(out.contains("sun.tools.jps.Jps"), run.toString()); // jps lists itself
                    case JCMD -> assertTrue(out.contains("sun.tools.jcmd.JCmd"), run.toString());
                    case JSTACK -> assertTrue(out.contains("Full thread dump"), run.toString());
                    case JAVADOC -> assertTrue(Files.isRegularFile(work.resolve("doc/Hello.html")), run.toString());
                    case JLINK -> assertTrue(out.contains("--strip-debug"), run.toString());
                    case MAVEN -> assertTrue(out.contains("Apache Maven") && out.contains(jdk.home().toString()),
                            run.toString());
                }
                assertEquals("Picked up JAVA_TOOL_OPTIONS: " + toolOptions, run.stderr().get(0), run.toString());
                return ourLines(run);
            }
        }
    }

    /** Maven's launcher script; this machine's builds run on it, so a missing one aborts with the reason. */
    private static String maven() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path mvn = Path.of(dir, "mvn");
            if (Files.isExecutable(mvn)) {
                return mvn.toString();
            }
        }
        assumeTrue(false, "no mvn on the PATH");
        return null;
    }

    private static List<String> ourLines(ChildJvm jvm) {
        return Stream.concat(jvm.stdout().stream(), jvm.stderr().stream())
                .filter(l -> l.contains("[portmanager]")).collect(Collectors.toList());
    }

    /**
     * Stops the app and returns our lines: read after it has exited and its pumps are done (stderr has its own reader
     * thread, so a line may arrive after the stdout line the test waited for), so none can be missed. A test that
     * expects a line awaits it first.
     */
    private static List<String> ourLinesAtExit(ChildJvm jvm) throws InterruptedException {
        jvm.stop();
        return ourLines(jvm);
    }

    /** The ports claimed in the state directory. */
    private static List<Integer> ports(Path stateDir) throws IOException {
        dev.portmanager.host.StateDirectory state = new dev.portmanager.host.StateDirectory(stateDir);
        try {
            return state.claimedPorts();
        } finally {
            state.close();
        }
    }
}
