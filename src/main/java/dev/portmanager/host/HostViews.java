package dev.portmanager.host;

import dev.portmanager.Allocation;
import dev.portmanager.AllocationState;
import dev.portmanager.Conflict;
import dev.portmanager.ConflictKind;
import dev.portmanager.RangeUtilization;
import dev.portmanager.config.KnownService;
import dev.portmanager.config.PortManagerConfig;
import dev.portmanager.config.PortRange;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What this host's state directory and the kernel say together: live allocations, per-range utilization and
 * conflicts. Reads everything once per call; nothing here is on an allocation path.
 */
public final class HostViews {
    private final PortManagerConfig config;
    private final HostAllocator allocator;

    public HostViews(PortManagerConfig config, HostAllocator allocator) {
        this.config = config;
        this.allocator = allocator;
    }

    /** One consistent reading of claims and listeners. */
    private record Reading(List<Claim> claims, ListeningSockets.Snapshot listening, long now) {
    }

    private Reading read() {
        return new Reading(allocator.state().readAll(), allocator.sockets().fresh(), System.currentTimeMillis());
    }

    /** Live allocations on this host, by port (claims only: the kernel's tables are not needed here). */
    public List<Allocation> allocations() {
        long now = System.currentTimeMillis();
        List<Allocation> live = new ArrayList<>();
        for (Claim c : allocator.state().readAll()) {
            if (HostAllocator.isLive(c, now)) {
                live.add(c.allocation());
            }
        }
        return live;
    }

    /** Live listening allocations of one service on this host. */
    public List<Allocation> listening(String service) {
        List<Allocation> result = new ArrayList<>();
        for (Allocation a : allocations()) {
            if (a.state() == AllocationState.LISTENING && a.service().equals(service)) {
                result.add(a);
            }
        }
        return result;
    }

    public List<RangeUtilization> utilization() {
        Reading r = read();
        Set<Integer> allocated = new HashSet<>();
        Map<String, Integer> byRangeType = new HashMap<>();
        for (Claim c : r.claims()) {
            if (HostAllocator.isLive(c, r.now())) {
                allocated.add(c.allocation().port());
                PortRange home = config.rangeFor(c.allocation().type());
                if (home != null) {
                    byRangeType.merge(home.type(), 1, Integer::sum);
                }
            }
        }
        List<RangeUtilization> result = new ArrayList<>();
        for (PortRange range : config.ranges().values()) {
            int mine = 0;
            int unmanaged = 0;
            for (int p = range.start(); p <= range.end(); p++) {
                if (allocated.contains(p)) {
                    mine++;
                } else if (r.listening().isListening(p)) {
                    unmanaged++;
                }
            }
            int free = range.size() - mine - unmanaged;
            double percent = Math.round(1000.0 * (mine + unmanaged) / range.size()) / 10.0;
            result.add(new RangeUtilization(range.type(), range.name(), range.start(), range.end(), range.priority(),
                    range.size(), mine, unmanaged, free, percent, byRangeType.getOrDefault(range.type(), 0)));
        }
        return result;
    }

    /** FOREIGN, SQUATTER, STALE and CONTENDED on this host (DUPLICATE needs the registry: see the facade). */
    public List<Conflict> conflicts() {
        Reading r = read();
        String host = allocator.host();
        Map<Integer, Claim> liveByPort = new HashMap<>();
        List<Conflict> found = new ArrayList<>();
        for (Claim c : r.claims()) {
            Allocation a = c.allocation();
            if (HostAllocator.isLive(c, r.now())) {
                liveByPort.put(a.port(), c);
            } else if (HostAllocator.isStale(c, r.now())) {
                String why = a.state() == AllocationState.RESERVED ? "its reservation expired"
                        : "its owner pid " + a.pid() + " is gone";
                found.add(new Conflict(ConflictKind.STALE, host, a.port(), List.of(a.service()), a.pid(), null,
                        a.service() + " still claims " + a.port() + " but " + why + "; it is reaped on the next allocation"));
            }
        }
        // Who listens where: resolve socket inodes to processes once for every port we care about.
        Map<Integer, List<ListeningSockets.Listener>> relevant = new TreeMap<>();
        r.listening().byPort().forEach((port, ls) -> {
            if (liveByPort.containsKey(port) || config.rangeContaining(port) != null) {
                relevant.put(port, ls);
            }
        });
        Set<Long> inodes = new HashSet<>();
        relevant.values().forEach(ls -> inodes.addAll(ProcessTable.inodesOf(ls)));
        Map<Long, ProcessTable.ProcessInfo> owners = ProcessTable.ownersOf(inodes);
        relevant.forEach((port, ls) -> {
            ProcessTable.ProcessInfo holder = ProcessTable.holderOf(ls, owners);
            Claim claim = liveByPort.get(port);
            long pid = holder == null ? 0 : holder.pid();
            String cmd = holder == null ? null : holder.command();
            if (claim == null) {
                PortRange range = config.rangeContaining(port);
                // pid and command are fields of their own: the sentence does not repeat them.
                found.add(new Conflict(ConflictKind.SQUATTER, host, port, List.of(), pid, cmd,
                        (holder == null ? "hidden, unmanaged listener in " : "unmanaged listener in ") + range));
            } else if (holder != null && holder.pid() != claim.allocation().pid()) {
                Allocation a = claim.allocation();
                found.add(new Conflict(ConflictKind.FOREIGN, host, port, List.of(a.service()), pid, cmd,
                        port + " is allocated to " + a.service()
                                + (a.pid() == 0 ? " (reserved)" : " (pid " + a.pid() + ")")
                                + " but another process listens on it"));
            }
        });
        found.addAll(contended(r, liveByPort));
        return found;
    }

    /** Services that prefer the same port: the known-services table plus what live allocations asked for. */
    private List<Conflict> contended(Reading r, Map<Integer, Claim> liveByPort) {
        Map<Integer, Set<String>> wanting = new TreeMap<>();
        for (KnownService s : config.services().values()) {
            if (s.preferredPort() > 0) {
                wanting.computeIfAbsent(s.preferredPort(), p -> new TreeSet<>()).add(s.name());
            }
        }
        for (Claim c : liveByPort.values()) {
            Allocation a = c.allocation();
            if (a.requestedPort() > 0) {
                wanting.computeIfAbsent(a.requestedPort(), p -> new TreeSet<>()).add(a.service());
            }
        }
        List<Conflict> result = new ArrayList<>();
        wanting.forEach((port, services) -> {
            if (services.size() > 1) {
                Claim holder = liveByPort.get(port);
                String who = holder == null ? "none of them holds it now"
                        : holder.allocation().service() + " holds it now";
                result.add(new Conflict(ConflictKind.CONTENDED, allocator.host(), port, List.copyOf(services),
                        holder == null ? 0 : holder.allocation().pid(), null,
                        String.join(" and ", services) + (services.size() == 2 ? " both" : " all") + " prefer "
                                + port + "; " + who));
            }
        });
        return result;
    }
}
