package dev.portmanager.testing;

import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A child process for lock tests: a stuck holder. Locks one port's claim record the way an update does (its first
 * 1023 bytes), prints {@code LOCKED} and keeps the lock until its stdin closes. Arguments: claimsFile port.
 */
public final class HoldRecordLock {
    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[1]);
        try (FileChannel claims = FileChannel.open(Path.of(args[0]), StandardOpenOption.READ, StandardOpenOption.WRITE);
             FileLock lock = claims.lock((long) port * 1024, 1023, false)) {
            System.out.println("LOCKED");
            System.out.flush();
            System.in.read();
        }
    }
}
