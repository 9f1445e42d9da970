package dev.portmanager;

/** Life cycle of one port claim. */
public enum AllocationState {
    /** Made ahead of time for a service that is not running yet; lives until released or its lease ends. */
    RESERVED,
    /** Granted to a running process that has not bound it yet. */
    ALLOCATED,
    /** Bound and listening: discoverable by name. */
    LISTENING,
    /** Given back; the port cools down before another service may take it. */
    RELEASED
}
