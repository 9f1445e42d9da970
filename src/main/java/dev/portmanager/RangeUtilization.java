package dev.portmanager;

/**
 * Usage of one port range on this host (or, with a registry, across the hosts it knows).
 *
 * @param type        range type
 * @param name        range name
 * @param start       first port
 * @param end         last port
 * @param priority    range priority
 * @param size        number of ports
 * @param allocated   ports held by live allocations
 * @param unmanaged   ports in use by processes PortManager does not manage
 * @param free        ports left
 * @param percentUsed (allocated + unmanaged) / size, as a percentage
 */
public record RangeUtilization(String type, String name, int start, int end, int priority, int size, int allocated,
                               int unmanaged, int free, double percentUsed) {
}
