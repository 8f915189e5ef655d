package dev.veil.server.http;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Collection;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

import dev.veil.server.config.ConfigException;

/**
 * The certificate authorities Veil trusts when it connects to providers: the JDK's own, plus those of
 * {@code veil.upstream.ca-file}, for providers behind a private CA (an on-prem vLLM or Ollama behind the company's
 * TLS proxy). Adding to the JDK's authorities rather than replacing them keeps hosted providers reachable.
 */
public final class UpstreamTrust {
    private static final String KEY = "veil.upstream.ca-file";

    private UpstreamTrust() {
    }

    /** A TLS context that trusts the JDK's authorities and every certificate in the PEM file {@code caFile}. */
    public static SSLContext withCaFile(Path caFile) {
        Collection<? extends Certificate> extra = certificates(caFile);
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            int n = 0;
            for (X509Certificate authority : jdkAuthorities()) {
                store.setCertificateEntry("jdk-" + n++, authority);
            }
            for (Certificate authority : extra) {
                store.setCertificateEntry("ca-file-" + n++, authority);
            }
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(store);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trust.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("the JDK could not build a trust store", e);
        }
    }

    private static Collection<? extends Certificate> certificates(Path caFile) {
        Collection<? extends Certificate> certificates;
        try (InputStream in = Files.newInputStream(caFile)) {
            certificates = CertificateFactory.getInstance("X.509").generateCertificates(in);
        } catch (NoSuchFileException e) {
            throw new ConfigException(KEY, "there is no file " + caFile
                    + "; point it at a PEM file of the CA certificates to trust");
        } catch (IOException e) {
            throw new ConfigException(KEY, caFile + " could not be read (" + e.getClass().getSimpleName()
                    + "); check its permissions");
        } catch (CertificateException e) {
            throw new ConfigException(KEY, caFile + " is not a PEM file of X.509 certificates; export the CA "
                    + "certificates as PEM (-----BEGIN CERTIFICATE-----)");
        }
        if (certificates.isEmpty()) {
            throw new ConfigException(KEY, caFile + " holds no certificate; export the CA certificates as PEM "
                    + "(-----BEGIN CERTIFICATE-----)");
        }
        return certificates;
    }

    private static X509Certificate[] jdkAuthorities() throws GeneralSecurityException {
        TrustManagerFactory jdk = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        jdk.init((KeyStore) null);
        for (TrustManager manager : jdk.getTrustManagers()) {
            if (manager instanceof X509TrustManager x509) {
                return x509.getAcceptedIssuers();
            }
        }
        return new X509Certificate[0];
    }
}
