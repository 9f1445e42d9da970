package dev.portmanager.samples.demo;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The kernel's own account of who listens where (/proc/net/tcp{,6} and /proc/PID/fd), read independently of
 * PortManager so that the demo can check what PortManager reports against the machine rather than trust it.
 */
final class Kernel {
    private static final String LISTEN = "0A";

    private Kernel() {
    }

    /** Listening TCP ports, each with the pids whose sockets they are (empty set when the owner is not visible). */
    static Map<Integer, Set<Long>> listeners() {
        Map<Long, Integer> portByInode = new HashMap<>();
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            readListening(Path.of(table), portByInode);
        }
        Map<Integer, Set<Long>> byPort = new TreeMap<>();
        portByInode.values().forEach(port -> byPort.putIfAbsent(port, new HashSet<>()));
        try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"), p -> isNumber(p))) {
            for (Path proc : procs) {
                long pid = Long.parseLong(proc.getFileName().toString());
                for (long inode : socketInodes(proc)) {
                    Integer port = portByInode.get(inode);
                    if (port != null) {
                        byPort.get(port).add(pid);
                    }
                }
            }
        } catch (IOException e) {
            // /proc not listable: ports stay without owners
        }
        return byPort;
    }

    /** The pids listening on {@code port} (empty when none or not visible to us). */
    static Set<Long> listenersOf(int port) {
        return listeners().getOrDefault(port, Set.of());
    }

    /** The command line of a process, or "?" when it is gone or not ours to read. */
    static String command(long pid) {
        try {
            byte[] raw = Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline"));
            String line = new String(raw, StandardCharsets.UTF_8).replace('\0', ' ').strip();
            return line.isEmpty() ? "?" : shorten(line);
        } catch (IOException e) {
            return "?";
        }
    }

    /** Keep the interesting part of long java command lines: the main class (or jar) and what follows. */
    private static String shorten(String line) {
        String[] words = line.split(" ");
        words[0] = words[0].substring(words[0].lastIndexOf('/') + 1); // python3, not /root/.pyenv/.../python3
        if (words[0].equals("java")) {
            for (int i = 1; i < words.length; i++) {
                if (words[i].equals("-jar") && i + 1 < words.length) {
                    words[i + 1] = words[i + 1].substring(words[i + 1].lastIndexOf('/') + 1);
                    return "java " + String.join(" ", Arrays.copyOfRange(words, i, words.length));
                }
                if (words[i].equals("-cp") || words[i].equals("-classpath")) {
                    i++; // skip the class path itself
                } else if (!words[i].startsWith("-")) {
                    return "java " + String.join(" ", Arrays.copyOfRange(words, i, words.length));
                }
            }
        }
        line = String.join(" ", words);
        return line.length() > 80 ? line.substring(0, 77) + "..." : line;
    }

    private static void readListening(Path table, Map<Long, Integer> portByInode) {
        List<String> lines;
        try {
            lines = Files.readAllLines(table);
        } catch (IOException e) {
            return;
        }
        for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
            String[] f = line.trim().split("\\s+");
            if (f.length > 9 && LISTEN.equals(f[3])) {
                String local = f[1];
                int port = Integer.parseInt(local.substring(local.indexOf(':') + 1), 16);
                portByInode.put(Long.parseLong(f[9]), port);
            }
        }
    }

    private static Set<Long> socketInodes(Path proc) {
        Set<Long> inodes = new HashSet<>();
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(proc.resolve("fd"))) {
            for (Path fd : fds) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith("socket:[")) {
                        inodes.add(Long.parseLong(target.substring(8, target.length() - 1)));
                    }
                } catch (IOException | UnsupportedOperationException e) {
                    // the fd closed while we looked
                }
            }
        } catch (IOException e) {
            // not our process, or it exited
        }
        return inodes;
    }

    private static boolean isNumber(Path p) {
        String s = p.getFileName().toString();
        return !s.isEmpty() && s.chars().allMatch(Character::isDigit);
    }
}
