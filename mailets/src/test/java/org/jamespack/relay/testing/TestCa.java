package org.jamespack.relay.testing;

import java.io.OutputStream;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** A CA made at test time and a server certificate for {@code localhost}/127.0.0.1 signed by it. */
public final class TestCa {

    public static final char[] PASSWORD = "changeit".toCharArray();

    private final X509Certificate caCert;
    private final X509Certificate serverCert;
    private final KeyPair serverKey;
    private final SSLContext serverContext;

    private TestCa(X509Certificate caCert, X509Certificate serverCert, KeyPair serverKey, SSLContext serverContext) {
        this.caCert = caCert;
        this.serverCert = serverCert;
        this.serverKey = serverKey;
        this.serverContext = serverContext;
    }

    /** A new CA and a server certificate with the given DNS name (plus IP 127.0.0.1). */
    public static TestCa create(String serverName) throws Exception {
        KeyPairGenerator gen = KeyPairGenerator.getInstance("EC");
        gen.initialize(256);
        KeyPair ca = gen.generateKeyPair();
        KeyPair server = gen.generateKeyPair();
        Instant now = Instant.now();
        X500Name caName = new X500Name("CN=James pack test CA");
        JcaX509v3CertificateBuilder caBuilder = new JcaX509v3CertificateBuilder(caName, BigInteger.valueOf(new SecureRandom().nextInt(1 << 30)),
            Date.from(now.minus(Duration.ofMinutes(5))), Date.from(now.plus(Duration.ofDays(1))), caName, ca.getPublic());
        caBuilder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
        caBuilder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
        X509Certificate caCert = new JcaX509CertificateConverter().getCertificate(
            caBuilder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(ca.getPrivate())));

        JcaX509v3CertificateBuilder sb = new JcaX509v3CertificateBuilder(caName, BigInteger.valueOf(new SecureRandom().nextInt(1 << 30)),
            Date.from(now.minus(Duration.ofMinutes(5))), Date.from(now.plus(Duration.ofDays(1))), new X500Name("CN=" + serverName),
            server.getPublic());
        sb.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
        sb.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyAgreement));
        sb.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
        sb.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
            new GeneralName(GeneralName.dNSName, serverName), new GeneralName(GeneralName.iPAddress, "127.0.0.1")}));
        X509Certificate serverCert = new JcaX509CertificateConverter().getCertificate(
            sb.build(new JcaContentSignerBuilder("SHA256withECDSA").build(ca.getPrivate())));

        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setKeyEntry("server", server.getPrivate(), PASSWORD, new X509Certificate[] {serverCert, caCert});
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, PASSWORD);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(kmf.getKeyManagers(), null, null);
        return new TestCa(caCert, serverCert, server, context);
    }

    public SSLContext serverContext() {
        return serverContext;
    }

    /**
     * Writes the server certificate chain (server, then CA) and its private key as PEM files, for
     * servers configured by file (Dovecot's {@code ssl_cert}/{@code ssl_key}); the key file gets mode 0600.
     */
    public void writeServerPem(Path certFile, Path keyFile) throws Exception {
        try (JcaPEMWriter w = new JcaPEMWriter(Files.newBufferedWriter(certFile))) {
            w.writeObject(serverCert);
            w.writeObject(caCert);
        }
        Files.deleteIfExists(keyFile);
        Files.createFile(keyFile, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
            java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
        try (JcaPEMWriter w = new JcaPEMWriter(Files.newBufferedWriter(keyFile))) {
            w.writeObject(new JcaPKCS8Generator(serverKey.getPrivate(), null));
        }
    }

    /** Writes a PKCS12 trust store holding the CA certificate (password {@link #PASSWORD}). */
    public Path writeTrustStore(Path file) throws Exception {
        KeyStore ts = KeyStore.getInstance("PKCS12");
        ts.load(null, null);
        ts.setCertificateEntry("ca", caCert);
        try (OutputStream out = Files.newOutputStream(file)) {
            ts.store(out, PASSWORD);
        }
        return file;
    }
}
