package dev.portmanager;

/**
 * A live, listening instance of a service, as discovery returns it.
 *
 * @param service   service name
 * @param endpoint  endpoint name within the service ({@code main} unless the service listens on several ports)
 * @param host      host name of the machine it runs on
 * @param address   address to connect to (advertised; never a wildcard)
 * @param port      the real port it listens on
 * @param pid       its process id (0 when unknown)
 * @param type      service type
 * @param since     when it was granted the port (epoch ms)
 * @param renewedAt when its lease was last renewed (epoch ms)
 */
public record Endpoint(String service, String endpoint, String host, String address, int port, long pid,
                       String type, long since, long renewedAt) {

    public static Endpoint of(Allocation a) {
        String address = a.advertised() == null ? a.host() : a.advertised();
        return new Endpoint(a.service(), a.endpoint(), a.host(), address, a.port(), a.pid(), a.type(),
                a.createdAt(), a.leaseUntil() - a.leaseMillis());
    }

    /** {@code address:port}, with IPv6 literals bracketed. */
    public String authority() {
        return (address.indexOf(':') >= 0 ? "[" + address + "]" : address) + ":" + port;
    }
}
