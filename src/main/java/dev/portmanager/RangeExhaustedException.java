package dev.portmanager;

/** No port is left in the type's range nor in the dynamic pool. Maps to HTTP 409. */
public class RangeExhaustedException extends PortManagerException {
    public RangeExhaustedException(String message) {
        super(message);
    }
}
