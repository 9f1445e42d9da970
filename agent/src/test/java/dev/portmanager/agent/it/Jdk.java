package dev.portmanager.agent.it;

import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A JDK the child JVMs run on. There are always two, JDK 17 and JDK 25, each with an explicit home, so that every
 * case exists on both whatever JVM runs the build; the JVM running the tests decides nothing.
 *
 * <ul>
 *   <li>{@code portmanager.jdk17.home}: JDK 17's home; when blank, the build's own JVM, but only if it is a 17.</li>
 *   <li>{@code portmanager.jdk25.home}: JDK 25's home.</li>
 *   <li>{@code portmanager.jdks.required=true} (set by .ci/run): a missing JDK fails its cases. Otherwise they are
 *       aborted with the reason, so the build summary counts them as skipped.</li>
 * </ul>
 * A home counts only when its {@code release} file names the expected feature version.
 */
final class Jdk {
    private static final Pattern JAVA_VERSION = Pattern.compile("(?m)^JAVA_VERSION=\"(\\d+)");
    private static final Jdk JDK17 = resolve(17);
    private static final Jdk JDK25 = resolve(25);

    private final int feature;
    private final Path home;
    private final String missing;

    private Jdk(int feature, Path home, String missing) {
        this.feature = feature;
        this.home = home;
        this.missing = missing;
    }

    /** Both JDKs, present or not: a missing one's cases still exist and report themselves skipped (or fail). */
    static List<Jdk> all() {
        return List.of(JDK17, JDK25);
    }

    /** The JDK single-JDK cases run on: JDK 17, the oldest the product supports. */
    static Jdk jdk17() {
        return JDK17;
    }

    /** Same as {@link #jdk17()} (the name older tests use). */
    static Jdk current() {
        return JDK17;
    }

    static Jdk jdk25() {
        return JDK25;
    }

    String name() {
        return "jdk" + feature;
    }

    int feature() {
        return feature;
    }

    /** The home; a missing JDK aborts the calling test (or fails it when the JDKs are required). */
    Path home() {
        if (missing != null) {
            String message = name() + " is not available: " + missing;
            if (Boolean.getBoolean("portmanager.jdks.required")) {
                throw new AssertionError(message + " (portmanager.jdks.required=true: this machine must have it)");
            }
            Assumptions.abort(message);
        }
        return home;
    }

    Path java() {
        return home().resolve("bin").resolve("java");
    }

    @Override
    public String toString() {
        return name();
    }

    private static Jdk resolve(int feature) {
        String property = "portmanager.jdk" + feature + ".home";
        String configured = System.getProperty(property, "").trim();
        if (configured.isEmpty() || configured.startsWith("${")) {
            if (Runtime.version().feature() == feature) {
                return check(feature, Path.of(System.getProperty("java.home")), "the build's own JVM");
            }
            return new Jdk(feature, null, "-D" + property + " is not set and the build runs on JDK "
                    + Runtime.version().feature());
        }
        return check(feature, Path.of(configured), "-D" + property);
    }

    private static Jdk check(int feature, Path home, String source) {
        if (!Files.isExecutable(home.resolve("bin").resolve("java"))) {
            return new Jdk(feature, null, "no bin/java under " + home + " (" + source + ")");
        }
        Optional<Integer> found = releaseFeature(home);
        if (found.isPresent() && found.get() != feature) {
            return new Jdk(feature, null, home + " is JDK " + found.get() + ", not " + feature + " (" + source + ")");
        }
        if (found.isEmpty()) {
            return new Jdk(feature, null, "no JAVA_VERSION in " + home.resolve("release") + " (" + source + ")");
        }
        return new Jdk(feature, home, null);
    }

    private static Optional<Integer> releaseFeature(Path home) {
        try {
            Matcher m = JAVA_VERSION.matcher(Files.readString(home.resolve("release")));
            return m.find() ? Optional.of(Integer.parseInt(m.group(1))) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
