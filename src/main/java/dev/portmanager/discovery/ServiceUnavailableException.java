package dev.portmanager.discovery;

import dev.portmanager.PortManagerException;

/** No live (or no healthy) instance of a service could be found. */
public class ServiceUnavailableException extends PortManagerException {
    public ServiceUnavailableException(String message) {
        super(message);
    }
}
