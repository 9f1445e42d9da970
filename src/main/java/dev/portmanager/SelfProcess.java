package dev.portmanager;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * This process's pid and start time, read from /proc the way the JDK's {@code ProcessHandle} computes them on Linux
 * (boot time from {@code /proc/stat}'s btime plus the start tick count of {@code /proc/self/stat} at the kernel's
 * USER_HZ of 100), so an owner written here equals what another process reads through {@code ProcessHandle}.
 */
final class SelfProcess {
    /** Linux reports process times in USER_HZ units, 100 per second on every architecture it exports them for. */
    private static final long TICKS_PER_SECOND = 100;

    private SelfProcess() {
    }

    /** This process as an owner, or null when /proc cannot tell (not Linux): the caller asks ProcessHandle. */
    static Owner read() {
        try {
            String stat = text(Path.of("/proc/self/stat"));
            // pid (comm) state ppid ...: comm may hold spaces and parentheses, so fields are counted after the last ')'
            int close = stat.lastIndexOf(')');
            long pid = Long.parseLong(stat.substring(0, stat.indexOf(' ')).trim());
            String[] fields = stat.substring(close + 2).trim().split(" ");
            long startTicks = Long.parseLong(fields[19]); // field 22 of the whole line
            long bootSeconds = bootTime(text(Path.of("/proc/stat")));
            if (bootSeconds <= 0) {
                return null;
            }
            return new Owner(pid, bootSeconds * 1000 + startTicks * 1000 / TICKS_PER_SECOND);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    static long bootTime(String procStat) {
        int at = procStat.indexOf("\nbtime ");
        if (at < 0) {
            return 0;
        }
        int end = procStat.indexOf('\n', at + 1);
        return Long.parseLong(procStat.substring(at + 7, end < 0 ? procStat.length() : end).trim());
    }

    /** A /proc file's text (its size reads as 0, so until the end). A channel: no stream classes load for it. */
    private static String text(Path file) throws IOException {
        try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer buffer = ByteBuffer.allocate(8192);
            while (in.read(buffer) > 0) {
                if (!buffer.hasRemaining()) {
                    ByteBuffer bigger = ByteBuffer.allocate(buffer.capacity() * 2);
                    buffer.flip();
                    bigger.put(buffer);
                    buffer = bigger;
                }
            }
            return new String(buffer.array(), 0, buffer.position(), StandardCharsets.US_ASCII);
        }
    }
}
