package dev.portmanager;

/** The kinds of trouble the conflict view reports. */
public enum ConflictKind {
    /** An allocated port is held by a process other than its owner. */
    FOREIGN,
    /** A port inside a managed range is in use by a process PortManager does not manage. */
    SQUATTER,
    /** Two live allocations claim one host:port (possible across state directories or hosts sharing a registry). */
    DUPLICATE,
    /** An allocation whose owner is gone or whose lease ran out, not yet reaped. */
    STALE,
    /** Two services prefer the same port; only one of them can have it. */
    CONTENDED
}
