package dev.portmanager.samples.demo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Reading the members' log files back. */
final class Logs {
    private Logs() {
    }

    /** The last lines of a log, indented, for error messages. */
    static String tail(Path log) {
        List<String> lines = lines(log);
        return "    " + String.join("\n    ", lines.subList(Math.max(0, lines.size() - 15), lines.size()))
                + "\n    (full log: " + log + ")";
    }

    static List<String> lines(Path log) {
        try {
            return Files.readAllLines(log);
        } catch (IOException e) {
            return List.of();
        }
    }
}
