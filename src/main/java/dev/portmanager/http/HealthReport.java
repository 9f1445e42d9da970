package dev.portmanager.http;

import dev.portmanager.discovery.HealthProbe;

import java.util.List;

/**
 * The result of checking every instance of one service on its real port.
 *
 * @param status    UP when at least one instance answered, else DOWN
 * @param instances one check per instance
 */
public record HealthReport(String service, String status, List<HealthProbe.Result> instances) {

    public boolean healthy() {
        return "UP".equals(status);
    }
}
