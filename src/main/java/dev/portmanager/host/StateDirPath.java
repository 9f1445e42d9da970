package dev.portmanager.host;

import dev.portmanager.PortManagerException;
import dev.portmanager.config.UserHome;

import java.nio.file.Path;

/**
 * The state directory as configured, made absolute. {@code ~} and {@code ~/...} are expanded from {@code $HOME}
 * (else the JVM's {@code user.home}; see {@link UserHome}), as a shell would have done had the value not come from a
 * config file or an agent argument. Other relative paths are refused: processes started from different working directories would
 * silently use different state directories and hand out the same ports.
 */
public final class StateDirPath {
    private StateDirPath() {
    }

    public static Path resolve(Path configured) {
        if (configured.isAbsolute()) {
            return configured;
        }
        String text = configured.toString();
        if (text.equals("~") || text.startsWith("~/")) {
            // The config file and the settings expand these already; a Path built from the raw text (an agent
            // argument, a caller's own Path) gets the same treatment here.
            return UserHome.expand(text);
        }
        if (text.startsWith("~")) {
            throw new PortManagerException("state directory '" + text + "': only ~ and ~/ are expanded (from $HOME); "
                    + "give an absolute path");
        }
        throw new PortManagerException("state directory '" + text + "' is a relative path; give an absolute path "
                + "(or one starting with ~/): processes started in different directories would not share it");
    }
}
