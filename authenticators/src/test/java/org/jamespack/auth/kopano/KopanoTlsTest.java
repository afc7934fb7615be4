package org.jamespack.auth.kopano;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.jamespack.auth.Protocol;
import org.jamespack.foundation.Secret;
import org.jamespack.auth.Verdict;
import org.jamespack.auth.Verdict.Reason;
import org.jamespack.auth.Verdict.State;
import org.jamespack.auth.kopano.standin.KopanoStandIn;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** https:// with a trust store, host-name checking, and never a client certificate. */
@Timeout(60)
class KopanoTlsTest {

    static final char[] STORE_PASSWORD = "changeit".toCharArray();

    @TempDir
    static Path dir;
    static Path goodKey;
    static Path wrongNameKey;
    static Path trust;

    KopanoStandIn standIn;
    KopanoVerifier verifier;

    /** Keys made with the JDK's keytool: one naming 127.0.0.1 and localhost, one naming another host. */
    @BeforeAll
    static void keys() throws Exception {
        goodKey = dir.resolve("good.p12");
        wrongNameKey = dir.resolve("wrong.p12");
        trust = dir.resolve("trust.p12");
        keytool("-genkeypair", "-alias", "good", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=kopano",
            "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-validity", "2", "-storetype", "PKCS12",
            "-keystore", goodKey.toString(), "-storepass", "changeit", "-keypass", "changeit");
        keytool("-genkeypair", "-alias", "wrong", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=other",
            "-ext", "SAN=dns:kopano.example", "-validity", "2", "-storetype", "PKCS12",
            "-keystore", wrongNameKey.toString(), "-storepass", "changeit", "-keypass", "changeit");
        for (String[] k : List.of(new String[] {"good", goodKey.toString()}, new String[] {"wrong", wrongNameKey.toString()})) {
            Path cert = dir.resolve(k[0] + ".crt");
            keytool("-exportcert", "-alias", k[0], "-keystore", k[1], "-storepass", "changeit", "-file", cert.toString());
            keytool("-importcert", "-noprompt", "-alias", k[0], "-file", cert.toString(), "-storetype", "PKCS12",
                "-keystore", trust.toString(), "-storepass", "trustpw");
        }
    }

    private static void keytool(String... args) throws IOException, InterruptedException {
        List<String> cmd = new java.util.ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("keytool.log").toFile()).start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(Files.readString(dir.resolve("keytool.log"))).isZero();
    }

    @AfterEach
    void tearDown() {
        if (verifier != null) {
            verifier.close();
        }
        if (standIn != null) {
            standIn.close();
            assertThat(standIn.clientViolations()).isEmpty();
        }
    }

    KopanoSettings.Builder settings(URI url) {
        return KopanoSettings.builder().url(url).trustStore(trust, Optional.of(Secret.of("trustpw")), "PKCS12");
    }

    @Test
    void verifyShouldAcceptOverTlsWithTheTrustStoreAndPresentNoClientCertificate() throws IOException {
        standIn = KopanoStandIn.startTls(goodKey, STORE_PASSWORD);
        standIn.addUser("alice", "pw-tls");

        verifier = KopanoVerifier.create(settings(standIn.url()).build());

        assertThat(verifier.verify(KopanoVerifierTest.attempt("alice", "pw-tls", Protocol.IMAP)).state()).isEqualTo(State.ACCEPTED);
        assertThat(verifier.verify(KopanoVerifierTest.attempt("alice", "wrong", Protocol.IMAP)).state()).isEqualTo(State.REJECTED);
        assertThat(standIn.openSessions()).isZero();
    }

    @Test
    void verifyShouldFailTlsWhenTheCertificateNamesAnotherHost() throws IOException {
        standIn = KopanoStandIn.startTls(wrongNameKey, STORE_PASSWORD);
        standIn.addUser("alice", "pw-tls");

        verifier = KopanoVerifier.create(settings(standIn.url()).build());
        Verdict v = verifier.verify(KopanoVerifierTest.attempt("alice", "pw-tls", Protocol.IMAP));

        assertThat(v.reason()).isEqualTo(Reason.TLS_FAILURE);
        assertThat(standIn.logons()).isEmpty();
    }

    @Test
    void verifyShouldTakeAnotherHostsCertificateOnlyWhenHostNameCheckingIsOff() throws IOException {
        standIn = KopanoStandIn.startTls(wrongNameKey, STORE_PASSWORD);
        standIn.addUser("alice", "pw-tls");

        verifier = KopanoVerifier.create(settings(standIn.url()).verifyHostname(false).build());

        assertThat(verifier.verify(KopanoVerifierTest.attempt("alice", "pw-tls", Protocol.IMAP)).state()).isEqualTo(State.ACCEPTED);
    }

    @Test
    void verifyShouldFailTlsWithoutTheTrustStore() throws IOException {
        standIn = KopanoStandIn.startTls(goodKey, STORE_PASSWORD);
        standIn.addUser("alice", "pw-tls");

        verifier = KopanoVerifier.create(KopanoSettings.builder().url(standIn.url()).build());

        assertThat(verifier.verify(KopanoVerifierTest.attempt("alice", "pw-tls", Protocol.IMAP)).reason())
            .isEqualTo(Reason.TLS_FAILURE);
    }
}
