package dev.portmanager.samples.fleet.gateway;

import java.io.IOException;

/** One backend the gateway forwards a route to: who it is, the URL its code dials, and the call itself. */
public interface Backend {
    /** The backend's service name, for the gateway's answer (the gateway finds nothing by name). */
    String service();

    /** The URL the backend's client code dials: the design's hardcoded {@code http://localhost:PORT}. */
    String url();

    /** One GET of {@link #url()}; the body, stripped. */
    String call() throws IOException;
}
