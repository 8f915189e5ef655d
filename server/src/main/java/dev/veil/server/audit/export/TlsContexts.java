package dev.veil.server.audit.export;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.List;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import dev.veil.server.config.AuditExportConfig;
import dev.veil.server.config.ConfigException;

/** Builds a sink's TLS context from PEM files: the CAs it trusts and, optionally, the certificate it presents. */
final class TlsContexts {
    private TlsContexts() {
    }

    /**
     * @param key the sink's config key, such as {@code veil.audit.export[0]}, for errors
     * @throws ConfigException when a file is not PEM of the right kind; the message never holds key material
     */
    static SSLContext of(AuditExportConfig.Tls tls, String key) {
        try {
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            if (tls.caFile().isPresent()) {
                KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
                store.load(null, null);
                List<? extends Certificate> cas = certificates(tls.caFile().get(), key + ".ca-file");
                for (int i = 0; i < cas.size(); i++) {
                    store.setCertificateEntry("ca-" + i, cas.get(i));
                }
                trust.init(store);
            } else {
                trust.init((KeyStore) null);
            }
            KeyManagerFactory keys = null;
            if (tls.clientCertFile().isPresent()) {
                List<? extends Certificate> chain = certificates(tls.clientCertFile().get(),
                        key + ".client-cert-file");
                PrivateKey privateKey = privateKey(tls.clientKeyFile().orElseThrow(), key + ".client-key-file");
                KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
                store.load(null, null);
                char[] password = new char[0];
                store.setKeyEntry("client", privateKey, password, chain.toArray(Certificate[]::new));
                keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                keys.init(store, password);
            }
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys == null ? null : keys.getKeyManagers(), trust.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException | IOException e) {
            throw new ConfigException(key, "cannot set up TLS (" + e.getClass().getSimpleName() + "); check that "
                    + "ca-file, client-cert-file and client-key-file are PEM files");
        }
    }

    private static List<? extends Certificate> certificates(Path file, String key) {
        try (InputStream in = Files.newInputStream(file)) {
            List<? extends Certificate> certificates = List.copyOf(CertificateFactory.getInstance("X.509")
                    .generateCertificates(in));
            if (certificates.isEmpty()) {
                throw new ConfigException(key, file + " holds no PEM certificate");
            }
            return certificates;
        } catch (IOException | GeneralSecurityException e) {
            throw new ConfigException(key, file + " is not a PEM certificate file (" + e.getClass().getSimpleName()
                    + ")");
        }
    }

    private static PrivateKey privateKey(Path file, String key) {
        String pem;
        try {
            pem = Files.readString(file, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new ConfigException(key, file + " cannot be read (" + e.getClass().getSimpleName() + ")");
        }
        int begin = pem.indexOf("-----BEGIN PRIVATE KEY-----");
        int end = pem.indexOf("-----END PRIVATE KEY-----");
        if (begin < 0 || end < begin) {
            throw new ConfigException(key, file + " is not a PKCS#8 PEM key (BEGIN PRIVATE KEY); convert it with "
                    + "openssl pkcs8 -topk8 -nocrypt");
        }
        byte[] der = Base64.getMimeDecoder().decode(pem.substring(begin + 27, end));
        for (String algorithm : List.of("RSA", "EC", "Ed25519")) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (GeneralSecurityException e) {
                // Not this algorithm: try the next.
            }
        }
        throw new ConfigException(key, file + " holds no RSA, EC or Ed25519 key");
    }
}
