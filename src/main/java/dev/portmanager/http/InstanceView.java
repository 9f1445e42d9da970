package dev.portmanager.http;

import dev.portmanager.Endpoint;

/**
 * One live instance of a service as the discovery API shows it.
 *
 * @param health   UP or DOWN from a check made for this response
 * @param ownerGone true when its process died without withdrawing (kill -9): listed, DOWN, until its lease ends;
 *                  discovery ({@code lookup}) no longer returns it
 */
public record InstanceView(String service, String endpoint, String host, String address, int port, String type,
                           long pid, long since, long renewedAt, String health, boolean ownerGone) {

    static InstanceView of(Endpoint e, String health, boolean ownerGone) {
        return new InstanceView(e.service(), e.endpoint(), e.host(), e.address(), e.port(), e.type(), e.pid(),
                e.since(), e.renewedAt(), health, ownerGone);
    }

    /** {@code address:port}, IPv6 literals bracketed. */
    public String authority() {
        return (address.indexOf(':') >= 0 ? "[" + address + "]" : address) + ":" + port;
    }
}
