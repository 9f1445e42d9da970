package dev.portmanager.samples.demo;

import dev.portmanager.Allocation;
import dev.portmanager.AllocationState;

import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Where one member ended up and why, assembled from PortManager's allocations and the kernel's socket table at
 * the moment it is printed: nothing here is known in advance.
 *
 * @param member      the fleet member
 * @param allocation  its live allocation (requested port, granted port, owner pid)
 * @param kernelAgrees true when the kernel shows the member's process listening on the granted port
 * @param why         why it is not on the port it asked for (or that it kept it)
 */
record Placement(Member member, Allocation allocation, boolean kernelAgrees, String why) {

    /** The placement of {@code s}, or empty when PortManager has no live allocation owned by its process tree. */
    static Optional<Placement> of(Fleet.Started s, List<Allocation> all, Fleet fleet) {
        Set<Long> pids = s.pids();
        return all.stream()
                .filter(a -> a.service().equals(s.member().name()) && pids.contains(a.pid()))
                .filter(a -> a.state() == AllocationState.LISTENING)
                .findFirst()
                .map(a -> new Placement(s.member(), a, pids.stream().anyMatch(Kernel.listenersOf(a.port())::contains),
                        why(a, all, fleet)));
    }

    static String why(Allocation a, List<Allocation> all, Fleet fleet) {
        int asked = a.requestedPort();
        if (asked == 0) {
            return "asked for any port";
        }
        if (!a.moved()) {
            return "kept: " + asked + " was free";
        }
        // Another managed service holds the port it asked for: a clash between two hardcoded ports.
        Optional<Allocation> rival = all.stream()
                .filter(o -> o.port() == asked && o.host().equals(a.host()) && o != a)
                .filter(o -> o.state() == AllocationState.LISTENING || o.state() == AllocationState.ALLOCATED)
                .findFirst();
        if (rival.isPresent()) {
            Allocation r = rival.get();
            return "clash: " + asked + " is " + r.service() + "'s (pid " + r.pid() + ", "
                    + (fleet.owns(r.pid()) ? "this demo" : "another fleet on this host") + ")";
        }
        // Something outside PortManager listens there.
        Set<Long> holders = Kernel.listenersOf(asked);
        if (!holders.isEmpty()) {
            long pid = holders.iterator().next();
            return asked + " held by pid " + pid + ": " + Kernel.command(pid)
                    + (fleet.owns(pid) ? " (the demo's unrelated process)" : "") + ", not managed";
        }
        if (Probe.accepts(asked)) {
            return asked + " held by a process we cannot see (another user's?)";
        }
        // Nobody holds it now (e.g. it was cooling down, or the holder has since gone): PortManager's own words.
        return "moved: " + a.reason();
    }
}
