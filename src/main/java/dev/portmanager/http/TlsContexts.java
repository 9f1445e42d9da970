package dev.portmanager.http;

import io.netty.handler.ssl.JdkSslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;

/**
 * Builds the sidecar's server-side SSLContext. PEM files are read by Netty's PEM support (already on the class
 * path through Lettuce), which handles certificate chains and PKCS#8 keys, plain or encrypted; a key store is
 * opened by the JDK, which detects PKCS#12 or JKS by itself.
 */
final class TlsContexts {
    private TlsContexts() {
    }

    /** @throws IllegalArgumentException naming the file and what is accepted, when the material is unusable */
    static SSLContext serverContext(SidecarSettings.Tls tls) {
        if (tls.keyStore() != null) {
            return fromKeyStore(tls.keyStore(), tls.password());
        }
        return fromPem(tls.certificate(), tls.privateKey(), tls.password());
    }

    private static SSLContext fromPem(Path certificate, Path privateKey, String password) {
        readable(certificate, "--tls-cert");
        readable(privateKey, "--tls-key");
        try {
            JdkSslContext netty = (JdkSslContext) SslContextBuilder
                    .forServer(certificate.toFile(), privateKey.toFile(), password)
                    .sslProvider(SslProvider.JDK).build();
            return netty.context();
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalArgumentException("cannot use --tls-cert " + certificate + " with --tls-key "
                    + privateKey + ": " + rootMessage(e) + "; expected a PEM certificate chain (BEGIN CERTIFICATE) "
                    + "and its PEM private key in PKCS#8 (BEGIN PRIVATE KEY, or BEGIN ENCRYPTED PRIVATE KEY with "
                    + "PORTMANAGER_TLS_PASSWORD); convert another key with "
                    + "`openssl pkcs8 -topk8 -nocrypt -in key.pem -out key-pkcs8.pem`");
        }
    }

    private static SSLContext fromKeyStore(Path file, String password) {
        readable(file, "--tls-keystore");
        char[] pw = password == null ? new char[0] : password.toCharArray();
        try {
            KeyStore ks = KeyStore.getInstance(file.toFile(), pw);
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, pw);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(kmf.getKeyManagers(), null, null);
            return context;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot use --tls-keystore " + file + ": " + rootMessage(e)
                    + "; expected a PKCS#12 or JKS key store holding the server's key and certificate, opened "
                    + "with PORTMANAGER_TLS_PASSWORD");
        }
    }

    private static void readable(Path file, String option) {
        if (!Files.isReadable(file)) {
            throw new IllegalArgumentException(option + " " + file + " is not a readable file");
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }
}
