package dev.portmanager.agent.launcher;

import java.io.File;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.Map;
import java.util.Properties;

/**
 * Decides, first thing in premain, whether this JVM is one the agent stays out of: a JDK tool or a build tool
 * (the default exclude list), or a JVM the {@code exclude} setting names, unless the {@code include} setting
 * names it. Set host-wide through {@code JAVA_TOOL_OPTIONS}, the agent reaches every javac, jshell and Maven run
 * on the host; they must pay nothing for it, so this runs before the agent's class loader, Byte Buddy or the
 * settings parser are touched, and with no setting given it loads no class but itself.
 *
 * <p>A JVM is named by its main class (for {@code java -m module/class}, the class), or for {@code java -jar} by
 * the jar's file name, both as the launcher left them in {@code sun.java.command}. Settings: agent argument
 * {@code include=}/{@code exclude=}, else {@code -Dportmanager.include}/{@code exclude}, else
 * {@code PORTMANAGER_INCLUDE}/{@code EXCLUDE}; each a list of globs (the JDK's glob syntax) separated by ';'.
 * A bad glob decides nothing here: the agent starts its settings parser, which reports it in its one line and
 * leaves every bind alone.
 *
 * <p>Free of lambdas and string concatenation, like {@link AgentLauncher}.
 */
final class JvmFilter {
    private JvmFilter() {
    }

    /**
     * True when the agent must not start in this JVM. With {@code -Dportmanager.debug=true} a skip says so in one
     * line; otherwise it prints nothing.
     */
    static boolean skips(String agentArgs) {
        try {
            return decide(agentArgs);
        } catch (RuntimeException unexpected) {
            return false; // a premain that throws would stop the JVM: the agent then starts and reports on its own
        }
    }

    private static boolean decide(String agentArgs) {
        Properties properties = System.getProperties();
        String subject = subject(properties.getProperty("sun.java.command"), properties.getProperty("java.class.path"));
        if (subject == null) {
            return false; // a JVM embedded through JNI names no main class: nothing to match
        }
        String reason = reason(subject, properties.getProperty("jdk.module.main"), setting(agentArgs, "include"),
                setting(agentArgs, "exclude"));
        if (reason != null && Boolean.getBoolean("portmanager.debug")) {
            System.err.println("[portmanager] not started in ".concat(subject).concat(": ").concat(reason));
        }
        return reason != null;
    }

    /**
     * Why the agent stays out of {@code subject} (null: it starts). {@code launchModule} is the module of a
     * {@code java -m} launch, null otherwise; the globs are the settings' raw values (null: not set).
     */
    static String reason(String subject, String launchModule, String include, String exclude) {
        boolean byDefault = isDefaultExcluded(subject, launchModule);
        if (byDefault && include == null) {
            return "on the default exclude list";
        }
        Boolean included = matches(include, subject);
        if (included == null) {
            return null; // a bad include glob: the settings parser reports it
        }
        if (included.booleanValue()) {
            return null;
        }
        if (byDefault) {
            return "on the default exclude list";
        }
        Boolean excluded = matches(exclude, subject);
        if (excluded == null || !excluded.booleanValue()) {
            return null;
        }
        return "matches exclude=".concat(exclude);
    }

    /**
     * JDK tools: whatever the JDK's own launchers start from its modules ({@code bin/javac} is {@code java -m
     * jdk.compiler/com.sun.tools.javac.Main}; likewise jar, jcmd, jps, jstack, keytool, javadoc, jlink, jshell,
     * jmap, jdeps, jwebserver...), and the few tools also run from the class path. Build tools by their main
     * classes: Maven's launcher, Gradle's daemon, wrapper and client, the Kotlin compile daemon.
     */
    static boolean isDefaultExcluded(String subject, String launchModule) {
        if (launchModule != null && (launchModule.startsWith("jdk.") || launchModule.startsWith("java."))) {
            return true;
        }
        switch (subject) {
            case "com.sun.tools.javac.Main":
            case "sun.tools.jar.Main":
            case "sun.security.tools.keytool.Main":
            case "jdk.jshell.execution.RemoteExecutionControl": // jshell's remote JVM, started with -cp
            case "org.codehaus.plexus.classworlds.launcher.Launcher":
            case "org.gradle.launcher.daemon.bootstrap.GradleDaemon":
            case "org.gradle.wrapper.GradleWrapperMain":
            case "org.gradle.launcher.GradleMain":
            case "org.jetbrains.kotlin.daemon.KotlinCompileDaemon":
                return true;
            default:
                return false;
        }
    }

    /**
     * The name settings match: the jar's file name for {@code java -jar} (the launcher then sets the class path
     * to exactly that jar, which also tells it apart when the path holds spaces), else the main class without
     * its module. Null when the launcher named nothing.
     */
    static String subject(String command, String classPath) {
        if (command == null || command.isBlank()) {
            return null;
        }
        if (classPath != null && !classPath.isEmpty() && command.startsWith(classPath)
                && (command.length() == classPath.length() || command.charAt(classPath.length()) == ' ')
                && classPath.regionMatches(true, classPath.length() - 4, ".jar", 0, 4)) {
            return classPath.substring(classPath.lastIndexOf(File.separatorChar) + 1);
        }
        int space = command.indexOf(' ');
        String main = space < 0 ? command : command.substring(0, space);
        return main.substring(main.indexOf('/') + 1);
    }

    /** Whether a glob of {@code globs} (null or blank: none) matches; null when one of them is a bad glob. */
    static Boolean matches(String globs, String subject) {
        if (globs == null) {
            return Boolean.FALSE;
        }
        Path name = Path.of(subject);
        boolean found = false;
        for (String item : globs.split(";")) {
            String glob = item.trim();
            if (glob.isEmpty()) {
                continue;
            }
            PathMatcher matcher;
            try {
                matcher = FileSystems.getDefault().getPathMatcher("glob:".concat(glob));
            } catch (RuntimeException bad) {
                return null;
            }
            found = found || matcher.matches(name);
        }
        return Boolean.valueOf(found);
    }

    /** The setting's value: agent argument, else system property, else environment variable; null if unset. */
    private static String setting(String agentArgs, String key) {
        if (agentArgs != null) {
            String prefix = key.concat("=");
            for (String part : agentArgs.split(",")) {
                String trimmed = part.trim();
                if (trimmed.startsWith(prefix)) {
                    return trimmed.substring(prefix.length());
                }
            }
        }
        String property = System.getProperty("portmanager.".concat(key));
        if (property != null) {
            return property;
        }
        Map<String, String> env = System.getenv();
        return env.get("PORTMANAGER_".concat(key.toUpperCase(java.util.Locale.ROOT)));
    }
}
