package dev.portmanager.registry;

/**
 * The registry could not be reached (connection refused, timed out, lost). Transient: the caller keeps going and
 * tries again later; allocation on the host never depends on the registry.
 */
public class RegistryUnavailableException extends RegistryException {
    public RegistryUnavailableException(String message) {
        super(message);
    }

    public RegistryUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
