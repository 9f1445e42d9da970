package dev.portmanager.agent;

import dev.portmanager.Allocation;
import dev.portmanager.PortManager;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * Keeps the connect table current, on its own daemon thread (started by the first connect, never at start-up):
 * <ul>
 *   <li>this host: one stat of the state directory's claims file every {@value #POLL_MILLIS} ms; the claims are
 *       re-read when it changed, and every {@value #LOCAL_FULL_MILLIS} ms anyway (an owner that died without
 *       releasing changes no file);</li>
 *   <li>with Redis: one GET of the registry's change count every poll; every host's entries are re-read when it
 *       changed (a register or withdraw elsewhere), and every {@value #REMOTE_FULL_MILLIS} ms anyway (entries
 *       that expired). A move elsewhere is thus seen within a poll plus one read.</li>
 * </ul>
 */
final class ConnectRefresher implements Runnable {
    static final long POLL_MILLIS = 200;
    static final long LOCAL_FULL_MILLIS = 5_000;
    static final long REMOTE_FULL_MILLIS = 10_000;
    /** This host's interfaces change rarely: listed again at most this often. */
    static final long ADDRESSES_MILLIS = 30_000;

    private final ConnectHandler handler;
    private final PortManager manager;
    private final boolean redis;
    private final Path claims;
    private List<ConnectRoutes.Route> routes;

    private List<Allocation> local = List.of();
    private List<Allocation> remote = List.of();
    private Set<InetAddress> addresses = Set.of();
    private long addressesRead;
    private long claimsModified;
    private boolean routesChecked;

    ConnectRefresher(ConnectHandler handler, PortManager manager, List<ConnectRoutes.Route> routes, boolean redis) {
        this.handler = handler;
        this.manager = manager;
        this.routes = routes;
        this.redis = redis;
        this.claims = manager.config().stateDir().resolve("claims");
    }

    /**
     * Built on the first connect's thread: this host only, IP literals only (no DNS), no registry. Without a
     * registry, routes naming an unknown service are reported and dropped here, before any connect is decided.
     */
    ConnectTable firstTable(ManagerAccess access) {
        long stamp = modified();
        // On the app's thread: through the core thread, waiting at most the agent's timeout (a stuck lock holder
        // must not hang a connect); late, the table starts empty and the refresher fills it.
        HostAllocationsCall read = new HostAllocationsCall();
        if (access.call(read) && read.result instanceof List) {
            local = castAllocations(read.result);
            claimsModified = stamp;
        } else {
            claimsModified = -1; // the refresher's first pass reads the claims
        }
        if (!redis && claimsModified != -1) {
            routes = handler.knownRoutesOnly(routes, manager.config(), local, remote);
            routesChecked = true;
        }
        addresses = HostAddresses.current();
        addressesRead = System.currentTimeMillis();
        return ConnectTableBuilder.build(manager.host(), local, remote, addresses, routes, null, redis);
    }

    @Override
    public void run() {
        boolean remoteRead = false;
        long lastMark = Long.MIN_VALUE;
        long nextLocal = System.currentTimeMillis() + LOCAL_FULL_MILLIS;
        long nextRemote = 0;
        boolean failureLogged = false;
        while (!handler.isClosing()) {
            try {
                long now = System.currentTimeMillis();
                long mtime = modified();
                // a write within the file system's time-stamp tick of the last reading may hide behind it
                boolean localDue = mtime != claimsModified || now - mtime < 2 * POLL_MILLIS || now >= nextLocal;
                boolean remoteDue = false;
                if (redis) {
                    long mark = manager.registryChangeMark();
                    remoteDue = !remoteRead || mark != lastMark || now >= nextRemote;
                    lastMark = mark;
                }
                if (localDue) {
                    claimsModified = mtime;
                    nextLocal = now + LOCAL_FULL_MILLIS;
                    local = manager.hostAllocations();
                }
                if (remoteDue) {
                    nextRemote = now + REMOTE_FULL_MILLIS;
                    remote = manager.registryAllocations(); // the first call waits for the Redis client
                }
                if (!routesChecked && (remoteRead || remoteDue || !redis)) {
                    routes = handler.knownRoutesOnly(routes, manager.config(), local, remote);
                    routesChecked = true;
                }
                if (now - addressesRead >= ADDRESSES_MILLIS) {
                    addresses = HostAddresses.current();
                    addressesRead = now;
                }
                if (localDue || remoteDue) {
                    handler.publish(ConnectTableBuilder.build(manager.host(), local, remote, addresses, routes,
                            ConnectTableBuilder.SYSTEM, false));
                }
                if (remoteDue && !remoteRead) {
                    remoteRead = true;
                    handler.registryReadingDone();
                }
            } catch (Throwable failure) {
                if (!failureLogged && !handler.isClosing()) {
                    failureLogged = true;
                    AgentLog.line("connect table not refreshed (" + failure + "); redirects use the last reading");
                }
            }
            try {
                Thread.sleep(POLL_MILLIS);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** This host's live allocations, read on the core thread. */
    private static final class HostAllocationsCall extends CoreCall {
        @Override
        Object perform(PortManager m) {
            return m.hostAllocations();
        }
    }

    @SuppressWarnings("unchecked")
    private static List<Allocation> castAllocations(Object result) {
        return (List<Allocation>) result;
    }

    private long modified() {
        try {
            return Files.getLastModifiedTime(claims).toMillis();
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }
}
