package dev.portmanager.agent;

import dev.portmanager.AllocationRequest;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

/**
 * The service name used when none is configured, derived from what the JVM was told to run
 * ({@code sun.java.command} and {@code java.class.path}):
 * <ul>
 *   <li>{@code -jar path/legacy-emotion-1.4.jar} gives {@code legacy-emotion} (the path may hold spaces);</li>
 *   <li>a main class {@code com.acme.EmotionServer} gives {@code EmotionServer};</li>
 *   <li>a main class that names no application, a launcher ({@code org.springframework.boot.loader.launch.JarLauncher},
 *       any {@code *Launcher}) or a generic name ({@code Main}, {@code Application}, {@code App}...), whether named
 *       on the command line or as a {@code -jar}'s Main-Class, gives, first found: the manifest's
 *       {@code Start-Class} (of the {@code -jar}, or of the class path entry holding the main class), the name of
 *       the jar holding the main class, the working directory's name.</li>
 * </ul>
 * Runs on the agent's core thread before the first bind needs it (it may read one manifest).
 */
final class ServiceNames {
    /** Simple class names that say nothing about the application. */
    private static final Set<String> GENERIC = Set.of("Main", "App", "Application", "Launcher", "Bootstrap", "Boot",
            "Server", "Service", "Start", "Starter", "Runner", "Program");

    private ServiceNames() {
    }

    /** {@link #derive()}, or {@code java-<pid>} if anything about the command or the files is unexpected. */
    static String deriveOrFallback() {
        try {
            return derive();
        } catch (RuntimeException unexpected) {
            return orFallback(null);
        }
    }

    static String derive() {
        String dir = System.getProperty("user.dir");
        return derive(System.getProperty("sun.java.command"), System.getProperty("java.class.path", ""),
                dir == null ? null : Path.of(dir));
    }

    /** The name from the command alone, reading no file (kept for callers that only have the command). */
    static String fromCommand(String command) {
        return derive(command, "", null);
    }

    static String derive(String command, String classPath, Path workingDir) {
        if (command == null || command.isBlank()) {
            return orFallback(fromDirectory(workingDir));
        }
        String jar = jarOf(command, classPath);
        if (jar != null) {
            Manifest manifest = manifestOf(Path.of(jar));
            String mainClass = attribute(manifest, Attributes.Name.MAIN_CLASS.toString());
            String byJar = fromJar(jar);
            if (mainClass == null || !isUninformative(mainClass)) {
                return orFallback(byJar);
            }
            return orFallback(firstOf(fromStartClass(manifest), byJar, fromDirectory(workingDir)));
        }
        String mainClass = command.trim().split("\\s+")[0];
        if (!isUninformative(mainClass)) {
            return orFallback(clean(simpleName(mainClass)));
        }
        String entry = entryHolding(mainClass, classPath);
        String byStartClass = entry == null ? null : fromStartClass(manifestOf(Path.of(entry)));
        String byJar = entry != null && entry.endsWith(".jar") ? fromJar(entry) : null;
        return orFallback(firstOf(byStartClass, byJar, fromDirectory(workingDir)));
    }

    /**
     * The jar of a {@code -jar} launch: then the class path is exactly that jar and the command starts with it
     * (which is how a path with spaces is told from the arguments that follow). Null for a main-class launch.
     */
    static String jarOf(String command, String classPath) {
        String trimmed = command.trim();
        if (classPath.endsWith(".jar") && classPath.indexOf(File.pathSeparatorChar) < 0
                && trimmed.startsWith(classPath)
                && (trimmed.length() == classPath.length() || trimmed.charAt(classPath.length()) == ' ')) {
            return classPath;
        }
        String first = trimmed.split("\\s+")[0];
        return first.endsWith(".jar") ? first : null;
    }

    static boolean isUninformative(String className) {
        String simple = simpleName(className);
        return GENERIC.contains(simple) || simple.endsWith("Launcher");
    }

    private static String simpleName(String className) {
        return className.substring(className.lastIndexOf('.') + 1);
    }

    private static String fromJar(String jar) {
        String file = jar.substring(Math.max(jar.lastIndexOf('/'), jar.lastIndexOf('\\')) + 1);
        return clean(file.substring(0, file.length() - ".jar".length()).replaceFirst("-\\d[\\w.\\-]*$", ""));
    }

    private static String fromStartClass(Manifest manifest) {
        String start = attribute(manifest, "Start-Class");
        return start == null || isUninformative(start.trim()) ? null : clean(simpleName(start.trim()));
    }

    private static String fromDirectory(Path dir) {
        Path name = dir == null ? null : dir.getFileName();
        return name == null ? null : clean(name.toString());
    }

    /** The class path entry (directory or jar) that holds the main class; null when none does. */
    private static String entryHolding(String mainClass, String classPath) {
        String resource = mainClass.replace('.', '/') + ".class";
        for (String entry : classPath.split(File.pathSeparator)) {
            if (entry.isEmpty()) {
                continue;
            }
            Path path = Path.of(entry);
            if (Files.isDirectory(path)) {
                if (Files.isRegularFile(path.resolve(resource))) {
                    return entry;
                }
            } else if (entry.endsWith(".jar") && Files.isRegularFile(path)) {
                try (JarFile jar = new JarFile(path.toFile(), false)) {
                    if (jar.getEntry(resource) != null) {
                        return entry;
                    }
                } catch (IOException | RuntimeException unreadable) {
                    // not this one
                }
            }
        }
        return null;
    }

    /** The manifest of a jar or of a class directory ({@code META-INF/MANIFEST.MF}); null when it has none. */
    private static Manifest manifestOf(Path entry) {
        try {
            if (Files.isDirectory(entry)) {
                Path file = entry.resolve("META-INF").resolve("MANIFEST.MF");
                if (!Files.isRegularFile(file)) {
                    return null;
                }
                try (InputStream in = Files.newInputStream(file)) {
                    return new Manifest(in);
                }
            }
            try (JarFile jar = new JarFile(entry.toFile(), false)) {
                return jar.getManifest();
            }
        } catch (IOException | RuntimeException unreadable) {
            return null;
        }
    }

    private static String attribute(Manifest manifest, String name) {
        return manifest == null ? null : manifest.getMainAttributes().getValue(name);
    }

    private static String firstOf(String... candidates) {
        for (String candidate : candidates) {
            if (candidate != null) {
                return candidate;
            }
        }
        return null;
    }

    /** Characters a name does not accept become '-'; null when nothing acceptable is left. */
    private static String clean(String raw) {
        String name = raw.replaceAll("[^A-Za-z0-9._-]", "-").replaceAll("^[._-]+", "");
        if (name.length() > 100) {
            name = name.substring(0, 100);
        }
        return AllocationRequest.isName(name) ? name : null;
    }

    private static String orFallback(String name) {
        return name != null ? name : "java-" + ProcessHandle.current().pid();
    }
}
