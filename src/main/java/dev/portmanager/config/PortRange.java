package dev.portmanager.config;

/**
 * A contiguous block of ports reserved for one service type.
 *
 * @param type     the service type this range serves (e.g. {@code ml})
 * @param name     a human name for the range (e.g. {@code ml-services})
 * @param start    first port, inclusive
 * @param end      last port, inclusive
 * @param priority 1 is the most protected: a priority-1 range never grants a preferred port to another type
 */
public record PortRange(String type, String name, int start, int end, int priority) {

    public PortRange {
        if (start < 1 || end > 65535 || start > end) {
            throw new IllegalArgumentException("range " + type + " " + start + "-" + end
                    + " is invalid: ports must satisfy 1 <= start <= end <= 65535");
        }
    }

    public boolean contains(int port) {
        return port >= start && port <= end;
    }

    public int size() {
        return end - start + 1;
    }

    public boolean overlaps(PortRange other) {
        return start <= other.end && other.start <= end;
    }

    @Override
    public String toString() {
        return type + " " + start + "-" + end;
    }
}
