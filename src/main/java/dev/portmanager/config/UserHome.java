package dev.portmanager.config;

import java.nio.file.Path;

/**
 * The user's home directory as the shell knows it: {@code $HOME}, which is what {@code ~} means in the paths
 * the README and the help name; Java's {@code user.home} (from the password database) only when it is unset.
 */
public final class UserHome {
    private UserHome() {
    }

    public static Path get() {
        String home = System.getenv("HOME");
        return home != null && !home.isBlank() ? Path.of(home) : Path.of(System.getProperty("user.home"));
    }

    /** {@code ~} and {@code ~/...} resolved against {@link #get()}; any other path as it is. */
    public static Path expand(String path) {
        if (path.equals("~")) {
            return get();
        }
        if (path.startsWith("~/")) {
            return get().resolve(path.substring(2));
        }
        return Path.of(path);
    }
}
