package dev.portmanager.host;

import java.util.List;

/** Who listens on a port of this host right now, for messages such as "8081 is in use by pid 42: java ...". */
public final class PortHolders {
    private PortHolders() {
    }

    /** {@code pid N: command} of the process listening on {@code port}, "another process" when the OS hides it,
     *  or null when nothing listens there. */
    public static String describe(int port) {
        List<ListeningSockets.Listener> ls = new ListeningSockets(0).fresh().listeners(port);
        if (ls.isEmpty()) {
            return null;
        }
        ProcessTable.ProcessInfo p = ProcessTable.holderOf(ls, ProcessTable.ownersOf(ProcessTable.inodesOf(ls)));
        return p != null ? p.describe() : "another process";
    }
}
