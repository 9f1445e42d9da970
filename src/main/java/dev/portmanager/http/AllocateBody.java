package dev.portmanager.http;

/**
 * The body of {@code POST /allocate}. Only {@code service} is required; a known service supplies its type and
 * preferred port.
 *
 * @param service       service name ({@link dev.portmanager.AllocationRequest#NAME_RULE})
 * @param type          service type, or null
 * @param preferredPort 1-65535, or null for none
 * @param ttl           reservation lifetime such as {@code 30m} or {@code 2h}; null for the configured default
 */
public record AllocateBody(String service, String type, Integer preferredPort, String ttl) {
}
