package dev.portmanager.http;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.IOException;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.TimeUnit;

/**
 * A self-signed server certificate for 127.0.0.1 and localhost, made by the JDK's keytool: a PKCS#12 key store,
 * the same key and certificate as PEM files, and an HTTP client that trusts exactly this certificate.
 */
final class TestCertificate {
    static final String PASSWORD = "test-keystore-password";

    final Path keyStore;
    final Path certPem;
    final Path keyPem;
    private final Certificate certificate;

    private TestCertificate(Path keyStore, Path certPem, Path keyPem, Certificate certificate) {
        this.keyStore = keyStore;
        this.certPem = certPem;
        this.keyPem = keyPem;
        this.certificate = certificate;
    }

    static TestCertificate create(Path dir) throws IOException, InterruptedException, GeneralSecurityException {
        Files.createDirectories(dir);
        Path ks = dir.resolve("server.p12");
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        Process p = new ProcessBuilder(keytool.toString(), "-genkeypair", "-alias", "sidecar", "-keyalg", "EC",
                "-groupname", "secp256r1", "-dname", "CN=localhost", "-ext", "SAN=ip:127.0.0.1,dns:localhost",
                "-validity", "2", "-storetype", "PKCS12", "-keystore", ks.toString(), "-storepass", PASSWORD)
                .redirectErrorStream(true).redirectOutput(dir.resolve("keytool.out").toFile()).start();
        // Waited for first, with a bound: its output goes to a file, so reading it can never block.
        boolean finished = p.waitFor(60, TimeUnit.SECONDS);
        if (!finished) {
            p.destroyForcibly();
        }
        String out = Files.readString(dir.resolve("keytool.out"), StandardCharsets.UTF_8);
        if (!finished || p.exitValue() != 0) {
            throw new IllegalStateException("keytool failed" + (finished ? "" : " to finish within 60 s") + ": " + out);
        }
        KeyStore store = KeyStore.getInstance(ks.toFile(), PASSWORD.toCharArray());
        Key key = store.getKey("sidecar", PASSWORD.toCharArray());
        Certificate cert = store.getCertificate("sidecar");
        Path certPem = dir.resolve("server.crt");
        Path keyPem = dir.resolve("server.key");
        Files.writeString(certPem, pem("CERTIFICATE", cert.getEncoded()));
        Files.writeString(keyPem, pem("PRIVATE KEY", key.getEncoded())); // getEncoded() of a private key: PKCS#8
        return new TestCertificate(ks, certPem, keyPem, cert);
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(der) + "\n-----END " + type + "-----\n";
    }

    /** An HTTP client that trusts this certificate only. */
    HttpClient client() throws GeneralSecurityException, IOException {
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        trust.setCertificateEntry("sidecar", certificate);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return HttpClient.newBuilder().sslContext(ctx).connectTimeout(Duration.ofSeconds(5))
                .proxy(HttpClient.Builder.NO_PROXY).build();
    }
}
