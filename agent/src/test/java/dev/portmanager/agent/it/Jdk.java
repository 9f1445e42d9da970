package dev.portmanager.agent.it;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** A JDK the child JVMs run on: the one running the tests (17) and Temurin 25 when installed. */
record Jdk(String name, Path home) {

    Path java() {
        return home.resolve("bin").resolve("java");
    }

    int feature() {
        return Integer.parseInt(name.substring("jdk".length()));
    }

    @Override
    public String toString() {
        return name;
    }

    static Jdk current() {
        return new Jdk("jdk" + Runtime.version().feature(), Path.of(System.getProperty("java.home")));
    }

    /** Both JDKs; JDK 25 is required when the build names it (portmanager.jdk25.home) and it exists. */
    static List<Jdk> all() {
        List<Jdk> jdks = new ArrayList<>();
        jdks.add(current());
        String home25 = System.getProperty("portmanager.jdk25.home");
        if (home25 != null && Files.isExecutable(Path.of(home25, "bin", "java"))) {
            jdks.add(new Jdk("jdk25", Path.of(home25)));
        } else {
            System.err.println("NOTICE: no JDK 25 at " + home25 + "; agent tests run on " + current() + " only");
        }
        return jdks;
    }
}
