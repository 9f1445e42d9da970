package dev.portmanager.agent;

import dev.portmanager.Allocation;
import dev.portmanager.PortManager;
import dev.portmanager.config.PortManagerConfig;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiFunction;

/**
 * Decides every client connect the bridge reports: the address to connect to instead, or null for "as asked".
 *
 * <p>The decision reads the in-process {@link ConnectTable} (a volatile reference to an immutable table); no file
 * lock and no Redis round trip per connect. The first connect builds the table from the state directory (waiting
 * for the port manager to open if needed) and starts the {@link ConnectRefresher}, which keeps it current. The
 * agent's own connections (Lettuce, on threads whose context loader is the agent's) are never redirected.
 */
final class ConnectHandler implements BiFunction<Object, Object, Object> {
    private final AgentSettings settings;
    private final ManagerAccess access;
    private final ClassLoader agentLoader;
    /** Routes from agent arguments, -D or the environment; null: the config file's apply. */
    private final ConnectRoutes givenRoutes;
    private final Set<String> logged = ConcurrentHashMap.newKeySet();
    /** Dialed address -> where it was last sent: a redirect is logged when this changes. */
    private final ConcurrentHashMap<InetSocketAddress, InetSocketAddress> redirectsLogged = new ConcurrentHashMap<>();
    private final Object lock = new Object();
    /** Made on the first prefixed route's connect: nothing of StackWalker loads before. */
    private CallerClass callers;

    private volatile ConnectTable table;
    private volatile boolean registryWaitOver;
    private volatile boolean closing;

    ConnectHandler(AgentSettings settings, ManagerAccess access, ClassLoader agentLoader, ConnectRoutes givenRoutes) {
        this.settings = settings;
        this.access = access;
        this.agentLoader = agentLoader;
        this.givenRoutes = givenRoutes;
    }

    @Override
    public Object apply(Object socket, Object address) {
        InetSocketAddress dialed = (InetSocketAddress) address;
        ConnectTable t = table;
        if (t == null) {
            if (isAgentOwn(socket)) {
                return null;
            }
            t = firstTable();
        }
        int port = dialed.getPort();
        if (t.registryPending && !registryWaitOver && (t.concerns(port) || !t.isThisHost(dialed.getAddress()))
                && !isAgentOwn(socket)) {
            // Other hosts are not known yet: a connect to one of them, or a route that may lead to one, waits
            // (once, bounded) for the registry's first reading. This host's unmanaged ports never wait.
            t = awaitRegistry();
        }
        if (!t.concerns(port)) {
            return null;
        }
        if (isAgentOwn(socket) || socket.getClass().getName().indexOf("Datagram") >= 0) {
            return null; // Netty's datagram channels share epoll's doConnect: only TCP is redirected
        }
        ConnectTable.HostEntry host = t.hostOf(dialed);
        ConnectTable.PortDecision decision = host == null ? null : host.decisions().get(port);
        return decision == null ? null : decide(dialed, host, decision);
    }

    private InetSocketAddress decide(InetSocketAddress dialed, ConnectTable.HostEntry host,
                                     ConnectTable.PortDecision d) {
        if (d.prefixed().length > 0) {
            CallerClass c = callers;
            if (c == null) {
                c = new CallerClass(agentLoader);
                callers = c; // a race makes two equal walkers, harmlessly
            }
            String caller = c.find();
            if (caller != null) {
                for (ConnectTable.RouteChoice choice : d.prefixed()) {
                    if (caller.startsWith(choice.route().prefix())) {
                        return viaRoute(dialed, host, choice);
                    }
                }
            }
        }
        if (d.plain() != null) {
            return viaRoute(dialed, host, d.plain());
        }
        if (d.ambiguity() != null) {
            once(settings.service + ": connect to " + hostPort(dialed) + " goes ahead as asked: " + d.ambiguity()
                    + "; a route picks one (routes=" + dialed.getPort() + "=SERVICE)");
            return null;
        }
        return d.byDefault() == null ? null : go(dialed, d.byDefault());
    }

    private InetSocketAddress viaRoute(InetSocketAddress dialed, ConnectTable.HostEntry host,
                                       ConnectTable.RouteChoice choice) {
        if (choice.target() == null) {
            once(settings.service + ": route " + choice.route().text() + ": no live instance of " + choice.route().service() + " on "
                    + (host.thisHost() ? "this host" : host.name()) + "; connect to " + hostPort(dialed)
                    + " goes ahead as asked");
            return null;
        }
        return go(dialed, choice.target());
    }

    private InetSocketAddress go(InetSocketAddress dialed, ConnectTable.Target target) {
        InetSocketAddress to = target.socketAddress(dialed);
        if (to.getPort() == dialed.getPort() && target.address() == null) {
            return null; // the service is on the dialed port itself
        }
        // One line per distinct redirect: a map lookup on the hot path, the line is built only when it is new.
        InetSocketAddress logged = redirectsLogged.get(dialed);
        if (logged == null || !logged.equals(to)) {
            InetSocketAddress previous = redirectsLogged.put(dialed, to);
            if (!to.equals(previous)) {
                String where = target.address() == null ? Integer.toString(to.getPort()) : hostPort(to);
                AgentLog.line(settings.service + ": connect " + hostPort(dialed) + " -> " + where + " ("
                        + target.service() + ")");
            }
        }
        return to;
    }

    /** One line per distinct message in this process. */
    private void once(String line) {
        if (logged.add(line)) {
            AgentLog.line(line);
        }
    }

    private static String hostPort(InetSocketAddress a) {
        InetAddress address = a.getAddress();
        String host = address == null ? a.getHostString() : address.getHostAddress();
        return (address instanceof Inet6Address ? "[" + host + "]" : host) + ":" + a.getPort();
    }

    /** The agent's threads (the opener, the refresher, Lettuce and Netty inside the core) and classes. */
    private boolean isAgentOwn(Object socket) {
        return Thread.currentThread().getContextClassLoader() == agentLoader
                || socket.getClass().getClassLoader() == agentLoader;
    }

    // ---- the table's life ------------------------------------------------------------------------------------

    /** The first connect's table: this host's state (no DNS, no registry), then the refresher takes over. */
    private ConnectTable firstTable() {
        synchronized (lock) {
            ConnectTable t = table;
            if (t != null) {
                return t;
            }
            PortManager manager = access.get();
            if (manager == null) {
                t = ConnectTable.EMPTY; // reported by the opener; connects go ahead as asked
            } else {
                t = startRefreshing(manager);
            }
            table = t;
            return t;
        }
    }

    private ConnectTable startRefreshing(PortManager manager) {
        PortManagerConfig config = manager.config();
        ConnectRoutes routes = givenRoutes;
        if (routes == null) {
            routes = ConnectRoutes.parse(config.routes(), "routes: in the config file");
            for (String problem : routes.problems()) {
                AgentLog.line(settings.service + ": " + problem);
            }
        }
        boolean redis = config.usesRedis();
        ConnectRefresher refresher = new ConnectRefresher(this, manager, routes.routes(), redis);
        ConnectTable first = refresher.firstTable(access);
        Thread thread = new Thread(refresher, "portmanager-connect");
        thread.setDaemon(true);
        thread.setContextClassLoader(agentLoader); // its Redis reads are the agent's own connections
        thread.start();
        return first;
    }

    /** The JVM is exiting (shutdown hook, before the port manager closes): the refresher stops quietly. */
    void close() {
        closing = true;
    }

    boolean isClosing() {
        return closing;
    }

    /** Installs a new table (refresher thread). */
    void publish(ConnectTable next) {
        synchronized (lock) {
            table = next;
            lock.notifyAll();
        }
    }

    /** The refresher gave up on the registry's first reading, or has it: nobody waits for it any more. */
    void registryReadingDone() {
        synchronized (lock) {
            registryWaitOver = true;
            lock.notifyAll();
        }
    }

    /**
     * Waits (once, bounded by the agent's {@code timeout}) for the registry's first reading, so a connect to another
     * host can be decided. A Redis client that connects slowly (a loaded host) must not send the first connects to
     * a squatter silently: when the wait runs out, one line says so.
     */
    private ConnectTable awaitRegistry() {
        long deadline = System.nanoTime() + settings.timeout.toNanos();
        boolean interrupted = false;
        boolean gaveUp = false;
        synchronized (lock) {
            while (!registryWaitOver && table.registryPending) {
                long left = (deadline - System.nanoTime()) / 1_000_000L;
                if (left <= 0) {
                    registryWaitOver = true; // later connects go ahead without waiting
                    gaveUp = true;
                    break;
                }
                try {
                    lock.wait(left);
                } catch (InterruptedException e) {
                    interrupted = true;
                    break;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        if (gaveUp) {
            once(settings.service + ": the registry gave no answer within " + settings.timeout.toMillis()
                    + " ms; connects to other hosts and routed ports go ahead as asked until it does");
        }
        return table;
    }

    /** Reports routes naming a service nobody knows and returns the others (refresher, after its first reading). */
    List<ConnectRoutes.Route> knownRoutesOnly(List<ConnectRoutes.Route> routes, PortManagerConfig config,
                                              List<Allocation> local, List<Allocation> registry) {
        List<ConnectRoutes.Route> kept = new ArrayList<>();
        for (ConnectRoutes.Route r : routes) {
            if (isKnown(r.service(), config, local) || isKnown(r.service(), config, registry)) {
                kept.add(r);
            } else {
                AgentLog.line(settings.service + ": route " + r.text() + " ignored: no service '" + r.service()
                        + "' is known (not in the config file's services, no instance on this host"
                        + (config.usesRedis() ? " or in the registry" : "") + ")");
            }
        }
        return kept;
    }

    private static boolean isKnown(String service, PortManagerConfig config, List<Allocation> allocations) {
        if (config.services().containsKey(service)) {
            return true;
        }
        for (Allocation a : allocations) {
            if (a.service().equals(service)) {
                return true;
            }
        }
        return false;
    }
}
