package dev.portmanager.testing;

import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A JDK a test runs a child on: the core's per-JDK tests, and the agent's end-to-end tests through their
 * {@code agent/src/test/java/dev/portmanager/agent/it/Jdk.java} (one rule for both), so that a case "on JDK 17" runs
 * on a 17 whatever JVM runs the build:
 * <ul>
 *   <li>{@code portmanager.jdk17.home}, {@code portmanager.jdk25.home}: the homes; when blank, the build's own JVM,
 *       but only if it has that feature version.</li>
 *   <li>{@code portmanager.jdks.required=true} (set by .ci/run): a missing JDK fails the case. Otherwise the case is
 *       aborted with the reason, so the build summary counts it as skipped.</li>
 * </ul>
 * A home counts only when its {@code release} file names the expected feature version.
 */
public final class Jdk {
    private static final Pattern JAVA_VERSION = Pattern.compile("(?m)^JAVA_VERSION=\"(\\d+)");

    private Jdk() {
    }

    /** JDK {@code feature}'s home; a missing one aborts the calling test (or fails it when JDKs are required). */
    public static Path home(int feature) {
        String property = "portmanager.jdk" + feature + ".home";
        String configured = System.getProperty(property, "").trim();
        String missing;
        Path home = null;
        if (configured.isEmpty() || configured.startsWith("${")) {
            if (Runtime.version().feature() == feature) {
                home = Path.of(System.getProperty("java.home"));
                missing = check(feature, home, "the build's own JVM");
            } else {
                missing = "-D" + property + " is not set and the build runs on JDK " + Runtime.version().feature();
            }
        } else {
            home = Path.of(configured);
            missing = check(feature, home, "-D" + property);
        }
        if (missing != null) {
            String message = "jdk" + feature + " is not available: " + missing;
            if (Boolean.getBoolean("portmanager.jdks.required")) {
                throw new AssertionError(message + " (portmanager.jdks.required=true: this machine must have it)");
            }
            Assumptions.abort(message);
        }
        return home;
    }

    /** Why {@code home} is not JDK {@code feature}, or null when it is. */
    private static String check(int feature, Path home, String source) {
        if (!Files.isExecutable(home.resolve("bin").resolve("java"))) {
            return "no bin/java under " + home + " (" + source + ")";
        }
        try {
            Matcher m = JAVA_VERSION.matcher(Files.readString(home.resolve("release")));
            if (!m.find()) {
                return "no JAVA_VERSION in " + home.resolve("release") + " (" + source + ")";
            }
            int found = Integer.parseInt(m.group(1));
            return found == feature ? null : home + " is JDK " + found + ", not " + feature + " (" + source + ")";
        } catch (IOException e) {
            return "cannot read " + home.resolve("release") + " (" + source + "): " + e;
        }
    }
}
