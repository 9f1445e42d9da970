package dev.portmanager.http;

/** {@code GET /health}: the sidecar itself. */
public record SidecarStatus(String status, String host, String store, int allocations) {
}
