package dev.portmanager.http;

/**
 * {@code GET /health}: the sidecar itself.
 *
 * @param allocations this host's allocations plus the registry's last-read entries
 * @param registry    how current the registry part is ({@code none} on the embedded store)
 */
public record SidecarStatus(String status, String host, String store, int allocations, RegistryStatus registry) {
}
