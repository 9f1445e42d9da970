package dev.portmanager.agent;

import dev.portmanager.PortManager;

/**
 * One piece of work for the embedded core, run on the agent's core thread so that the application's thread waits
 * a bounded time for it (see {@link ManagerAccess#call}). A plain class per call, not a lambda: the first lambda
 * costs 10-15 ms of start-up.
 */
abstract class CoreCall {
    static final int QUEUED = 0;
    static final int RUNNING = 1;
    static final int DONE = 2;
    /** The caller stopped waiting; when it ran to completion anyway, {@link #undo} takes its effect back. */
    static final int ABANDONED = 3;

    int state = QUEUED;
    Object result;
    Throwable failure;

    abstract Object perform(PortManager manager);

    /** Takes back what a call did after its caller gave up on it (a grant nobody binds is released). */
    void undo(PortManager manager, Object performed) {
    }
}
