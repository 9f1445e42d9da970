package dev.portmanager.cli;

import dev.portmanager.host.ListeningSockets;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * The TCP ports a process and its descendants listen on: its sockets (the {@code socket:[inode]} links under
 * /proc/PID/fd) matched against the kernel's listening sockets. Empty where /proc is not readable.
 */
final class ChildListeners {
    private ChildListeners() {
    }

    static Set<Integer> portsOf(ProcessHandle process) {
        Set<Long> inodes = new HashSet<>();
        List<ProcessHandle> tree = Stream.concat(Stream.of(process), process.descendants()).toList();
        for (ProcessHandle p : tree) {
            collectSockets(p.pid(), inodes);
        }
        Set<Integer> ports = new TreeSet<>();
        if (inodes.isEmpty()) {
            return ports;
        }
        new ListeningSockets(0).fresh().byPort().forEach((port, listeners) -> {
            for (ListeningSockets.Listener l : listeners) {
                if (inodes.contains(l.inode())) {
                    ports.add(port);
                }
            }
        });
        return ports;
    }

    private static void collectSockets(long pid, Set<Long> inodes) {
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc", Long.toString(pid), "fd"))) {
            for (Path fd : fds) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith("socket:[")) {
                        inodes.add(Long.parseLong(target.substring(8, target.length() - 1)));
                    }
                } catch (IOException | NumberFormatException e) {
                    // closed meanwhile
                }
            }
        } catch (IOException | RuntimeException e) {
            // gone, or not ours to read
        }
    }
}
