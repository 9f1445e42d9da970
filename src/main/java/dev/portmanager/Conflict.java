package dev.portmanager;

import java.util.List;

/**
 * One problem found by the conflict view.
 *
 * @param kind     what sort of problem
 * @param host     the host it concerns
 * @param port     the port it concerns
 * @param services the managed services involved (may be empty for a squatter)
 * @param pid      the process actually holding the port, 0 when none or unknown
 * @param command  that process's command line where the OS shows it, else null
 * @param detail   one sentence for humans
 */
public record Conflict(ConflictKind kind, String host, int port, List<String> services, long pid, String command,
                       String detail) {
}
