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
 * @param allocated   ports of the range held by live allocations, whatever their type (a preferred port may lie in
 *                    another type's range)
 * @param unmanaged   ports in use by processes PortManager does not manage
 * @param free        ports left
 * @param percentUsed (allocated + unmanaged) / size, as a percentage
 * @param ofType      live allocations of this range's type (aliases included), wherever their port lies
 */
public record RangeUtilization(String type, String name, int start, int end, int priority, int size, int allocated,
                               int unmanaged, int free, double percentUsed, int ofType) {
}
