package dev.portmanager.registry;

import javax.net.ssl.SSLException;
import java.security.cert.CertificateException;

/**
 * Turns Lettuce's failures into the registry's exceptions with one clear reason. Lettuce's messages name host and
 * port at most, never the password (the URI it holds prints without it); the cause is kept for debugging.
 */
final class RedisFailures {
    private RedisFailures() {
    }

    static RegistryUnavailableException unavailable(String describe, Throwable e) {
        if (e == null) {
            return new RegistryUnavailableException("Redis registry " + describe + " is unreachable");
        }
        if (e instanceof RegistryUnavailableException r) {
            return r;
        }
        if (e instanceof RegistryException r) {
            return new RegistryUnavailableException(r.getMessage(), r);
        }
        Throwable root = e;
        boolean tls = false;
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            root = t;
            tls |= t instanceof SSLException || t instanceof CertificateException;
        }
        String why = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
        if (tls) {
            return new RegistryUnavailableException("Redis registry " + describe + ": TLS handshake failed ("
                    + why + "); the server's certificate must be signed by a CA the JVM trusts or the one named "
                    + "by redisCa, and name the host of the URI", e);
        }
        return new RegistryUnavailableException("Redis registry " + describe + " is unreachable: " + why, e);
    }
}
