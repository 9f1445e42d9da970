package dev.portmanager.http;

import dev.portmanager.Allocation;
import io.prometheus.metrics.core.metrics.Counter;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * {@code portmanager_moves_total}: moves this sidecar has seen, by range. A move is a live allocation on another
 * port than the one asked for; each grant (host, port, generation) counts once, whether it came through this API
 * or from any process whose allocation the store shows (seen at every change of the watch index and every
 * scrape). Memory holds the moved grants still live, nothing more.
 */
final class MovesSeen {
    private final Counter moves;
    private final Set<String> counted = new HashSet<>(); // guarded by this

    /** @param ranges every configured range, whose series start at zero (a series must not appear from nothing) */
    MovesSeen(Counter moves, List<String> ranges) {
        this.moves = moves;
        ranges.forEach(moves::labelValues);
    }

    /** Counts {@code a} if it is a move not counted yet. */
    synchronized void saw(Allocation a) {
        if (a.moved() && counted.add(key(a))) {
            moves.labelValues(String.valueOf(a.type())).inc();
        }
    }

    /** Counts the moves among every live allocation, and forgets grants no longer live. */
    synchronized void sawAll(List<Allocation> live) {
        Set<String> keep = new HashSet<>();
        for (Allocation a : live) {
            saw(a);
            keep.add(key(a));
        }
        counted.retainAll(keep);
    }

    private static String key(Allocation a) {
        return a.hostPort() + "#" + a.generation();
    }
}
