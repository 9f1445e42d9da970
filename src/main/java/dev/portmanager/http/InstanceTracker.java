package dev.portmanager.http;

import dev.portmanager.Allocation;
import dev.portmanager.AllocationState;
import dev.portmanager.Conflict;
import dev.portmanager.ConflictKind;
import dev.portmanager.Endpoint;
import dev.portmanager.PortManager;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Remembers the listening instances the sidecar has seen, so that one whose process was killed (kill -9: the core
 * drops it from the live view at once, but nobody withdrew it) stays listed, flagged and DOWN, until its lease
 * would have run out. One withdrawn on purpose (its claim released, not stale) disappears at once.
 */
final class InstanceTracker {
    private final PortManager pm;
    /** Instances seen live, by service|host|port|endpoint, with when. */
    private final Map<String, Seen> seen = new ConcurrentHashMap<>();
    /** Keys of the instances the last observation kept although their owner is gone. */
    private volatile Set<String> ownerGone = Set.of();

    private record Seen(Allocation allocation, long at) {
    }

    InstanceTracker(PortManager pm) {
        this.pm = pm;
    }

    /**
     * The live listening allocations among {@code current} (every host's, as the sidecar read them), plus the
     * recently killed ones.
     */
    synchronized List<Allocation> observe(List<Allocation> current) {
        long now = System.currentTimeMillis();
        List<Allocation> all = new ArrayList<>();
        Set<String> live = new HashSet<>();
        for (Allocation a : current) {
            if (a.state() == AllocationState.LISTENING) {
                all.add(a);
                live.add(key(a));
                seen.put(key(a), new Seen(a, now));
            }
        }
        long keep = pm.config().lease().toMillis();
        seen.values().removeIf(s -> s.at() + keep < now);
        List<Seen> vanished = seen.entrySet().stream().filter(e -> !live.contains(e.getKey()))
                .map(Map.Entry::getValue).toList();
        Set<String> kept = new HashSet<>();
        if (!vanished.isEmpty()) {
            // Only then pay for the conflict view: a STALE claim is one whose owner died without releasing it.
            Set<String> stale = new HashSet<>();
            for (Conflict c : pm.conflicts(List.of())) { // STALE is this host's finding: no registry read
                if (c.kind() == ConflictKind.STALE) {
                    stale.add(c.host() + ":" + c.port());
                }
            }
            for (Seen s : vanished) {
                if (stale.contains(s.allocation().hostPort())) {
                    all.add(s.allocation());
                    kept.add(key(s.allocation()));
                } else {
                    seen.remove(key(s.allocation()));
                }
            }
        }
        ownerGone = kept;
        return all;
    }

    boolean ownerGone(Endpoint e) {
        return ownerGone.contains(e.service() + "|" + e.host() + "|" + e.port() + "|" + e.endpoint());
    }

    void forget(Allocation a) {
        seen.remove(key(a));
    }

    private static String key(Allocation a) {
        return a.service() + "|" + a.host() + "|" + a.port() + "|" + a.endpoint();
    }
}
