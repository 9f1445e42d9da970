package dev.portmanager;

/** Base of the core's errors; every message says what was wrong and, where it applies, what is accepted. */
public class PortManagerException extends RuntimeException {
    public PortManagerException(String message) {
        super(message);
    }

    public PortManagerException(String message, Throwable cause) {
        super(message, cause);
    }
}
