package org.jamespack.relay.token;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;

import org.jamespack.auth.Secret;

import net.jcip.annotations.Immutable;

/**
 * Builds the TLS socket factory for a token endpoint from sasl-xoauth2's {@code ca_bundle_file}
 * (PEM, several certificates), {@code ca_certs_dir} (a directory of PEM files, as OpenSSL's
 * c_rehash leaves it) or a Java trust store. Host names are still verified (Nimbus uses the
 * JDK's HTTPS verifier). Stateless and thread-safe.
 */
@Immutable
public final class TrustAnchors {

    private TrustAnchors() {
    }

    /**
     * A socket factory trusting exactly the given anchors; empty when none is given (then the
     * JVM's default trust store applies).
     *
     * @throws IllegalArgumentException naming the file that could not be used
     */
    public static Optional<SSLSocketFactory> socketFactory(Optional<Path> caBundleFile, Optional<Path> caCertsDir,
                                                          Optional<Path> trustStore, Optional<Secret> trustStorePassword,
                                                          String trustStoreType) {
        if (caBundleFile.isEmpty() && caCertsDir.isEmpty() && trustStore.isEmpty()) {
            return Optional.empty();
        }
        try {
            KeyStore anchors = KeyStore.getInstance(KeyStore.getDefaultType());
            anchors.load(null, null);
            List<Certificate> certs = new ArrayList<>();
            if (caBundleFile.isPresent()) {
                certs.addAll(pem(caBundleFile.get(), true));
            }
            if (caCertsDir.isPresent()) {
                if (!Files.isDirectory(caCertsDir.get())) {
                    throw new IllegalArgumentException(caCertsDir.get() + " is not a directory");
                }
                try (DirectoryStream<Path> dir = Files.newDirectoryStream(caCertsDir.get())) {
                    for (Path p : dir) {
                        if (Files.isRegularFile(p)) {
                            // c_rehash directories mix certificates with CRLs and notes: skip what is not one
                            certs.addAll(pem(p, false));
                        }
                    }
                }
            }
            int i = 0;
            for (Certificate c : certs) {
                anchors.setCertificateEntry("anchor-" + i++, c);
            }
            if (trustStore.isPresent()) {
                KeyStore store = KeyStore.getInstance(trustStoreType);
                char[] pw = trustStorePassword.map(Secret::chars).orElse(null);
                try (InputStream in = Files.newInputStream(trustStore.get())) {
                    store.load(in, pw);
                }
                for (String alias : java.util.Collections.list(store.aliases())) {
                    if (store.isCertificateEntry(alias)) {
                        anchors.setCertificateEntry("store-" + alias, store.getCertificate(alias));
                    }
                }
            }
            if (anchors.size() == 0) {
                throw new IllegalArgumentException("no CA certificate found in the configured CA bundle/dir/trust store");
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(anchors);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, tmf.getTrustManagers(), null);
            return Optional.of(ctx.getSocketFactory());
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read trust anchors: " + e.getMessage());
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot build trust anchors: " + e.getMessage());
        }
    }

    private static Collection<? extends Certificate> pem(Path file, boolean required) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            Collection<? extends Certificate> found = CertificateFactory.getInstance("X.509").generateCertificates(in);
            if (found.isEmpty() && required) {
                throw new IllegalArgumentException(file + " holds no certificate");
            }
            return found;
        } catch (CertificateException e) {
            if (required) {
                throw new IllegalArgumentException(file + " is not a PEM certificate bundle");
            }
            return List.of();
        }
    }
}
