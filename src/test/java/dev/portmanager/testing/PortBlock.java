package dev.portmanager.testing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The ports this test JVM has to itself among the test JVMs on the host (other builds, other worktrees), so that a
 * test whose child binds its port later (python behind {@code portmanager run}, a sidecar) cannot collide with
 * another build's test doing the same.
 *
 * <p>The claim is made in the kernel, not in a file: the block's first port is bound by a socket that never
 * listens and does not set SO_REUSEADDR, so no other process can bind it while this JVM lives, and the kernel
 * frees it when the JVM exits, however it exits. A JVM looking for a block tries the blocks in random order and
 * takes the first whose claim port it can bind. The rest of the block is handed out to this JVM's tests in turn
 * ({@link #take}), each part checked to have no listener (a leftover of an earlier test, or a service of the host).
 */
public final class PortBlock {
    /** Below the kernel's ephemeral range (32768 and up), above the product's default ranges (up to 11999). */
    static final int FIRST = 12000;
    static final int SIZE = 2000;
    static final int COUNT = 10;
    /** How long to wait for a block when every one is claimed (a host running more than ten test JVMs). */
    private static final long WAIT_MILLIS = 120_000;

    private static PortBlock mine;

    private final int base;
    /** Held, never read: the claim lasts as long as this socket is bound. */
    @SuppressWarnings("unused")
    private final Socket claim;
    /** Offset of the next part to hand out, after the claim port. */
    private int next = 1;

    private PortBlock(int base, Socket claim) {
        this.base = base;
        this.claim = claim;
    }

    /**
     * The first port of {@code size} consecutive ports of this JVM's block on which nothing listens now. Parts are
     * handed out in turn and reused after the block wraps around, so a test must not keep one across tests.
     */
    public static synchronized int take(int size) {
        if (size < 1 || size > SIZE - 1) {
            throw new IllegalArgumentException("a part of 1 to " + (SIZE - 1) + " ports, not " + size);
        }
        if (mine == null) {
            mine = claim();
        }
        return mine.part(size);
    }

    private int part(int size) {
        for (int tries = 0; tries < SIZE; tries++) {
            if (next + size > SIZE) {
                next = 1;
            }
            int start = base + next;
            next += size;
            if (nothingListens(start, size)) {
                return start;
            }
        }
        throw new IllegalStateException("no " + size + " free ports left in " + base + "-" + (base + SIZE - 1));
    }

    private static PortBlock claim() {
        long end = System.currentTimeMillis() + WAIT_MILLIS;
        while (true) {
            List<Integer> order = new ArrayList<>();
            for (int i = 0; i < COUNT; i++) {
                order.add(FIRST + i * SIZE);
            }
            Collections.shuffle(order);
            for (int base : order) {
                Socket claim = new Socket();
                try {
                    claim.setReuseAddress(false);
                    claim.bind(new InetSocketAddress(base));
                    return new PortBlock(base, claim);
                } catch (IOException taken) {
                    closeQuietly(claim);
                }
            }
            if (System.currentTimeMillis() > end) {
                throw new IllegalStateException("all " + COUNT + " test port blocks from " + FIRST + " are claimed "
                        + "by other JVMs on this host (a port in each is bound: ss -tanp 'sport = :" + FIRST + "')");
            }
            try {
                Thread.sleep(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for a test port block", e);
            }
        }
    }

    private static boolean nothingListens(int start, int size) {
        for (int p = start; p < start + size; p++) {
            try (ServerSocket s = new ServerSocket()) {
                s.setReuseAddress(true);
                s.bind(new InetSocketAddress(p));
            } catch (IOException e) {
                return false;
            }
        }
        return true;
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // it was never bound
        }
    }
}
