package dev.portmanager.agent.it;

import java.nio.file.Path;
import java.util.List;

/**
 * A JDK the child JVMs run on. There are always two, JDK 17 and JDK 25, each with an explicit home, so that every
 * case exists on both whatever JVM runs the build; the JVM running the tests decides nothing.
 *
 * <p>The homes come from the core's {@link dev.portmanager.testing.Jdk}, which the core's own per-JDK tests use too:
 * {@code portmanager.jdk17.home} / {@code portmanager.jdk25.home}, a home counting only when its {@code release}
 * file names the expected version, and {@code portmanager.jdks.required=true} (set by .ci/run) turning a missing
 * JDK from a skipped case into a failed one.
 */
final class Jdk {
    private static final Jdk JDK17 = new Jdk(17);
    private static final Jdk JDK25 = new Jdk(25);

    private final int feature;

    private Jdk(int feature) {
        this.feature = feature;
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
        return dev.portmanager.testing.Jdk.home(feature);
    }

    Path java() {
        return home().resolve("bin").resolve("java");
    }

    @Override
    public String toString() {
        return name();
    }
}
