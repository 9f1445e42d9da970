package dev.portmanager.http;

import java.nio.file.Path;
import java.util.List;

/**
 * How {@code serve} exposes the API.
 *
 * @param bind         address to listen on (a loopback address unless a token is set)
 * @param port         port, 0 for any free one
 * @param token        bearer token, or null; required off loopback, where it guards reads too
 * @param allowHosts   extra names accepted in the Host header (beyond the bind address and loopback names)
 * @param allowOrigins web origins allowed to call from a browser (CORS); empty: none
 * @param tls          TLS material, or null for plain HTTP
 */
public record SidecarSettings(String bind, int port, String token, List<String> allowHosts,
                              List<String> allowOrigins, Tls tls) {

    public SidecarSettings {
        allowHosts = List.copyOf(allowHosts);
        allowOrigins = List.copyOf(allowOrigins);
    }

    /** Plain HTTP, no extra names or origins. */
    public static SidecarSettings of(String bind, int port, String token) {
        return new SidecarSettings(bind, port, token, List.of(), List.of(), null);
    }

    /**
     * A PEM certificate chain and private key (PKCS#8, optionally encrypted with {@code password}), or a key
     * store (PKCS#12 or JKS) holding one key entry, opened with {@code password}.
     */
    public record Tls(Path certificate, Path privateKey, Path keyStore, String password) {
        public static Tls pem(Path certificate, Path privateKey, String password) {
            return new Tls(certificate, privateKey, null, password);
        }

        public static Tls keyStore(Path keyStore, String password) {
            return new Tls(null, null, keyStore, password);
        }
    }
}
