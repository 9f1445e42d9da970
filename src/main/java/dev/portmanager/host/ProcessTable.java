package dev.portmanager.host;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * Finds which process owns a socket inode by reading /proc/[pid]/fd links. Only processes whose fd directory we
 * may read are seen (all of them as root, our own user's otherwise). Used for explanations and the conflict
 * view, never on the plain allocation path.
 */
public final class ProcessTable {
    /** A process as the OS shows it. */
    public record ProcessInfo(long pid, String command) {
        public String describe() {
            return "pid " + pid + (command == null || command.isEmpty() ? "" : ": " + command);
        }
    }

    private static final Path PROC = Path.of("/proc");
    private static final int COMMAND_MAX = 80;

    private ProcessTable() {
    }

    /** Owners of the given socket inodes (inodes nobody visible owns are absent from the map). */
    public static Map<Long, ProcessInfo> ownersOf(Set<Long> inodes) {
        Map<Long, ProcessInfo> found = new HashMap<>();
        if (inodes.isEmpty()) {
            return found;
        }
        try (DirectoryStream<Path> procs = Files.newDirectoryStream(PROC, p -> isNumeric(p.getFileName().toString()))) {
            for (Path proc : procs) {
                scanFds(proc, inodes, found);
                if (found.size() == inodes.size()) {
                    break;
                }
            }
        } catch (IOException | RuntimeException e) {
            // No /proc (not Linux) or a race with exiting processes: report what was found.
        }
        return found;
    }

    private static void scanFds(Path proc, Set<Long> inodes, Map<Long, ProcessInfo> found) {
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(proc.resolve("fd"))) {
            for (Path fd : fds) {
                String target;
                try {
                    target = Files.readSymbolicLink(fd).toString();
                } catch (IOException | UnsupportedOperationException e) {
                    continue;
                }
                if (target.startsWith("socket:[")) {
                    long inode = Long.parseLong(target.substring(8, target.length() - 1));
                    if (inodes.contains(inode) && !found.containsKey(inode)) {
                        long pid = Long.parseLong(proc.getFileName().toString());
                        found.put(inode, new ProcessInfo(pid, commandOf(pid)));
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            // Not ours to read, or the process exited while we looked.
        }
    }

    /** The socket inodes of some listeners, to look their owners up in one pass. */
    public static Set<Long> inodesOf(java.util.List<ListeningSockets.Listener> listeners) {
        Set<Long> inodes = new java.util.HashSet<>();
        for (ListeningSockets.Listener l : listeners) {
            inodes.add(l.inode());
        }
        return inodes;
    }

    /** The first of a port's listeners whose process is known, or null when none is visible. */
    public static ProcessInfo holderOf(java.util.List<ListeningSockets.Listener> listeners,
                                       Map<Long, ProcessInfo> owners) {
        for (ListeningSockets.Listener l : listeners) {
            ProcessInfo p = owners.get(l.inode());
            if (p != null) {
                return p;
            }
        }
        return null;
    }

    /** The process's command line, shortened for one log line, or its name when the line is not readable. */
    public static String commandOf(long pid) {
        try {
            byte[] raw = Files.readAllBytes(PROC.resolve(Long.toString(pid)).resolve("cmdline"));
            String cmd = shorten(new String(raw, StandardCharsets.UTF_8).replace('\0', ' ').trim());
            if (!cmd.isEmpty()) {
                return cmd;
            }
        } catch (IOException | RuntimeException e) {
            // fall through to ProcessHandle
        }
        return ProcessHandle.of(pid).flatMap(h -> h.info().command()).map(ProcessTable::shorten).orElse(null);
    }

    /**
     * Keeps what names a process: the program's base name, then the arguments that say which app it is
     * (for java, the main class or jar rather than the long class path).
     */
    static String shorten(String commandLine) {
        String[] parts = commandLine.split(" ");
        if (parts.length == 0 || parts[0].isEmpty()) {
            return "";
        }
        StringBuilder out = new StringBuilder(baseName(parts[0]));
        boolean skipNext = false;
        for (int i = 1; i < parts.length && out.length() < COMMAND_MAX; i++) {
            String p = parts[i];
            if (skipNext) {
                skipNext = false;
                continue;
            }
            if (p.equals("-cp") || p.equals("-classpath") || p.equals("--class-path")) {
                skipNext = true;
                continue;
            }
            if (p.startsWith("-javaagent:") || p.startsWith("-X") || p.startsWith("-D") || p.startsWith("--add-")) {
                continue;
            }
            out.append(' ').append(p.contains("/") && !p.startsWith("/api") ? baseName(p) : p);
        }
        return out.length() > COMMAND_MAX ? out.substring(0, COMMAND_MAX) + "..." : out.toString();
    }

    private static String baseName(String path) {
        int slash = path.lastIndexOf('/');
        return slash >= 0 ? path.substring(slash + 1) : path;
    }

    private static boolean isNumeric(String s) {
        if (s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            if (!Character.isDigit(s.charAt(i))) {
                return false;
            }
        }
        return true;
    }
}
