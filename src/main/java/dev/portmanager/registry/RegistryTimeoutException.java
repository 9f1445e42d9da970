package dev.portmanager.registry;

/**
 * The registry did not answer in time: connecting or reading took longer than the short read timeout (a Redis
 * that accepts connections and never answers, a failover in progress). The caller shows what it has without the
 * registry part and says that part is stale; the next call tries again.
 */
public class RegistryTimeoutException extends RegistryUnavailableException {
    public RegistryTimeoutException(String message) {
        super(message);
    }
}
