package dev.portmanager.registry;

import dev.portmanager.PortManagerException;

/** The registry refused or failed an operation (the server answered with an error). */
public class RegistryException extends PortManagerException {
    public RegistryException(String message) {
        super(message);
    }

    public RegistryException(String message, Throwable cause) {
        super(message, cause);
    }
}
