package org.jamespack.foundation.tls;

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
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;

import org.jamespack.foundation.Secret;

import net.jcip.annotations.Immutable;

/**
 * The one place the pack turns configured trust into a TLS client socket factory: a Java trust
 * store (Kopano's {@code https://}, the relay's smarthosts), or sasl-xoauth2's
 * {@code ca_bundle_file} (PEM, several certificates) and {@code ca_certs_dir} (a directory of PEM
 * files, as OpenSSL's c_rehash leaves it) for token endpoints. Every factory it builds presents
 * no client certificate (an empty key manager, not the JVM's default key store: a client
 * certificate registered with a server could log in without a password), and every trust-store
 * password is zeroed once the store is read. Host names are verified by the caller's protocol
 * layer. Stateless and thread-safe.
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
                KeyStore store = load(trustStore.get(), trustStorePassword, trustStoreType);
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
            return Optional.of(withoutClientCertificate(tmf).getSocketFactory());
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read trust anchors: " + e.getMessage());
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot build trust anchors: " + e.getMessage());
        }
    }

    /**
     * A socket factory trusting the given Java trust store, or the JVM's default CAs when none is
     * given.
     *
     * @throws IllegalArgumentException naming the file that could not be used (never the password)
     */
    public static SSLSocketFactory trustStoreFactory(Optional<Path> trustStore, Optional<Secret> trustStorePassword,
                                                     String trustStoreType) {
        return trustStoreContext(trustStore, trustStorePassword, trustStoreType).getSocketFactory();
    }

    /**
     * As {@link #trustStoreFactory}, as an {@link SSLContext} for clients that take one (the JDK's HTTP client).
     *
     * @throws IllegalArgumentException naming the file that could not be used (never the password)
     */
    public static SSLContext trustStoreContext(Optional<Path> trustStore, Optional<Secret> trustStorePassword,
                                               String trustStoreType) {
        try {
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trustStore.isPresent() ? load(trustStore.get(), trustStorePassword, trustStoreType) : null);
            return withoutClientCertificate(tmf);
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("trust store " + trustStore.map(Object::toString).orElse("(JVM default)")
                + " cannot be loaded: " + e.getClass().getSimpleName() + ": " + e.getMessage(), e);
        }
    }

    private static KeyStore load(Path file, Optional<Secret> password, String type)
            throws IOException, GeneralSecurityException {
        KeyStore store = KeyStore.getInstance(type);
        char[] pw = password.map(Secret::chars).orElse(null);
        try (InputStream in = Files.newInputStream(file)) {
            store.load(in, pw);
        } finally {
            if (pw != null) {
                Arrays.fill(pw, '\0');
            }
        }
        return store;
    }

    private static SSLContext withoutClientCertificate(TrustManagerFactory tmf) throws GeneralSecurityException {
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(new KeyManager[0], tmf.getTrustManagers(), null);
        return ctx;
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
