package org.jamespack.relay.token;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Map;

import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;

import com.nimbusds.oauth2.sdk.ParseException;
import com.nimbusds.oauth2.sdk.util.JSONObjectUtils;

import net.jcip.annotations.Immutable;

/**
 * Reads the key material of the certificate and JWT-bearer grants: a PEM private key (PKCS#8 or
 * PKCS#1, through BouncyCastle's PEM reader), a PEM X.509 certificate, and Google's
 * service-account JSON key file. Stateless and thread-safe. Messages name the file, never
 * quote its content.
 */
@Immutable
public final class KeyFiles {

    private KeyFiles() {
    }

    /** A Google service-account key: the fields of its JSON key file the JWT-bearer grant needs. */
    public record GoogleServiceAccount(String clientEmail, String privateKeyId, PrivateKey privateKey, String tokenUri) {
        @Override
        public String toString() {
            return "GoogleServiceAccount[" + clientEmail + ", key " + privateKeyId + "]";
        }
    }

    /**
     * Reads Google's service-account JSON key file ({@code "type": "service_account"},
     * {@code client_email}, {@code private_key_id}, {@code private_key} in PEM PKCS#8,
     * {@code token_uri}).
     */
    public static GoogleServiceAccount googleServiceAccount(Path file) throws IOException {
        Map<String, Object> json;
        try {
            json = JSONObjectUtils.parse(Files.readString(file, StandardCharsets.UTF_8));
        } catch (ParseException e) {
            throw new IOException(file + " is not a JSON key file");
        }
        Object type = json.get("type");
        if (!"service_account".equals(type)) {
            throw new IOException(file + " is not a service-account key file (type is not service_account)");
        }
        String email = field(json, "client_email", file);
        String keyId = json.get("private_key_id") instanceof String s ? s : "";
        String pem = field(json, "private_key", file);
        String tokenUri = json.get("token_uri") instanceof String s ? s : "https://oauth2.googleapis.com/token";
        return new GoogleServiceAccount(email, keyId, privateKey(new StringReader(pem), file.toString()), tokenUri);
    }

    /** A PEM private key (PKCS#8 {@code PRIVATE KEY} or PKCS#1 {@code RSA PRIVATE KEY}), unencrypted. */
    public static PrivateKey privateKey(Path file) throws IOException {
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.US_ASCII)) {
            return privateKey(r, file.toString());
        }
    }

    public static X509Certificate certificate(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        } catch (CertificateException e) {
            throw new IOException(file + " is not a PEM X.509 certificate");
        }
    }

    private static PrivateKey privateKey(Reader pem, String name) throws IOException {
        Object read;
        try (PEMParser parser = new PEMParser(pem)) {
            read = parser.readObject();
        } catch (IOException | RuntimeException e) {
            throw new IOException(name + ": the private key is not readable PEM");
        }
        JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
        if (read instanceof PrivateKeyInfo info) {
            return converter.getPrivateKey(info);
        }
        if (read instanceof PEMKeyPair pair) {
            return converter.getKeyPair(pair).getPrivate();
        }
        throw new IOException(name + ": no unencrypted PEM private key found");
    }

    private static String field(Map<String, Object> json, String key, Path file) throws IOException {
        Object v = json.get(key);
        if (!(v instanceof String s) || s.isEmpty()) {
            throw new IOException(file + " has no '" + key + "'");
        }
        return s;
    }
}
