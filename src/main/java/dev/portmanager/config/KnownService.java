package dev.portmanager.config;

/**
 * A service the manager knows by name: a request naming only the service takes its type and preferred port
 * from here.
 *
 * @param name          service name
 * @param type          its service type
 * @param preferredPort its historical (hardcoded) port, or 0 for none
 * @param healthPath    an HTTP path to GET for health checks, or null for a plain TCP connect
 */
public record KnownService(String name, String type, int preferredPort, String healthPath) {
}
