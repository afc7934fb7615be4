package org.jamespack.auth.ldap;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import org.jamespack.auth.LoginAttempt;
import org.jamespack.auth.Protocol;
import org.jamespack.foundation.Secret;
import org.jamespack.auth.Verdict;
import org.jamespack.testing.TestPorts;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.extensions.PasswordModifyExtendedRequest;

/**
 * The second tier: OpenLDAP slapd from Debian, started per test on a free port (about 50 ms).
 * Skipped with a printed reason where slapd is not installed.
 */
class SlapdLdapTest {

    private static final String PW = "secret-pw";

    /** Hashes of "secret-pw" as slappasswd, openssl passwd, libxcrypt and libargon2 made them here. */
    private static final List<String[]> STORED = List.of(
        new String[] {"md5crypt", "{CRYPT}$1$gV7DUby0$Prcl2rvbSlsvFV7E4nDeS."},
        new String[] {"sha256crypt", "{CRYPT}$5$KFqqrTV4fCQSBhDa$p9G91CBqYAyja1FEiiwFhQvta0yctxVYKZM1IK4o/k3"},
        new String[] {"sha512crypt", "{CRYPT}$6$xDXO6NVyRZw4f8TD$rincYLyNEnuIqgxUhKMje.o5NhYJeSkCnRdlBTx2WOpJfKqDX3zhM3Ztd1P3Hc.5Mvp4noZwmQaz6XNqQOdTS/"},
        new String[] {"descrypt", "{CRYPT}30mIE5WLaQCu6"},
        new String[] {"bcrypt", "{CRYPT}$2b$04$y5DDZg3R7fX/Uk65BwDIQewQkvXbLYweZwtj5kJWtxiPsV3DoL4wa"},
        new String[] {"ssha", "{SSHA}/xtLoG3omStZWzfj+Ggq4U3sECrn8RcS"},
        new String[] {"ssha512", "{SSHA512}OCYH/Xn/BUJo83A0XlPCfQ/LnL0rQSD87vhbnq+xAN4QKnskvCSLmVyZiQsYSH45FeXW7XXXAhLO+6GOMCG2hJYkPIpPjg47"},
        new String[] {"argon2", "{ARGON2}$argon2i$v=19$m=4096,t=3,p=1$S4ruFA0wpEdTRZS/cTaHNQ$/zexEDqwvYHzanoNRsz5WzPLbHCW556S2kB8Z/+foTA"},
        new String[] {"cleartext", PW});

    private static final String YESCRYPT = "{CRYPT}$y$j9T$iLlVCKy9zhl7kXYJUiR3t1$swuU9wj93LFOxdNDlfRQWGDmDN5ghBFlkO6CwGM0KE6";

    @BeforeAll
    static void needsSlapd() {
        SlapdServer.assumeInstalled();
    }

    private static Verdict verify(LdapVerifier v, String login, String password) {
        return v.verify(LoginAttempt.of(login, Secret.of(password), Protocol.IMAP));
    }

    private static SlapdServer.Builder withStoredHashes() {
        SlapdServer.Builder b = SlapdServer.builder();
        for (String[] user : STORED) {
            b.user(user[0], user[0] + "@example.org", user[1]);
        }
        return b.user("yes", "yes@example.org", YESCRYPT).user("off", "off@example.org", PW, "disabled");
    }

    @Test
    void rebindAndCompareShouldAcceptEveryStoredSchemeWhenSlapdHoldsIt() throws Exception {
        try (SlapdServer slapd = withStoredHashes().start();
             LdapVerifier rebind = LdapVerifier.create(slapd.settings().build());
             LdapVerifier compare = LdapVerifier.create(slapd.settings().mode(LdapSettings.Mode.COMPARE).build())) {
            for (String[] user : STORED) {
                assertThat(verify(rebind, user[0], PW).state()).as("rebind " + user[0]).isEqualTo(Verdict.State.ACCEPTED);
                assertThat(verify(compare, user[0], PW).state()).as("compare " + user[0]).isEqualTo(Verdict.State.ACCEPTED);
                assertThat(verify(rebind, user[0], "Secret-pw").state()).as("rebind " + user[0]).isEqualTo(Verdict.State.REJECTED);
                assertThat(verify(compare, user[0], "Secret-pw").state()).as("compare " + user[0]).isEqualTo(Verdict.State.REJECTED);
            }
            // slapd checks yescrypt through libxcrypt; Java cannot, and says so
            assertThat(verify(rebind, "yes", PW).state()).isEqualTo(Verdict.State.ACCEPTED);
            assertThat(verify(compare, "yes", PW).reason()).isEqualTo(Verdict.Reason.UNSUPPORTED_SCHEME);
            assertThat(verify(rebind, "off", PW).reason()).isEqualTo(Verdict.Reason.ACCOUNT_DISABLED);
            assertThat(verify(compare, "off", PW).reason()).isEqualTo(Verdict.Reason.ACCOUNT_DISABLED);
            assertThat(verify(compare, "nobody", PW).state()).isEqualTo(Verdict.State.REJECTED);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"$1$%.8s", "$5$%.16s", "$6$%.16s", "$6$rounds=10000$%.16s"})
    void compareShouldAcceptCryptHashWhenSlapdMadeItWithPasswordModify(String saltFormat) throws Exception {
        try (SlapdServer slapd = SlapdServer.builder().passwordHash("{CRYPT}", saltFormat)
                .user("alice", "alice@example.org", "initial").start();
             LdapVerifier compare = LdapVerifier.create(slapd.settings().mode(LdapSettings.Mode.COMPARE).build());
             LdapVerifier rebind = LdapVerifier.create(slapd.settings().build())) {
            String dn = "uid=alice," + SlapdServer.PEOPLE_DN;
            try (LDAPConnection root = slapd.rootConnection()) {
                root.processExtendedOperation(new PasswordModifyExtendedRequest(dn, null, PW));
                String stored = root.getEntry(dn, "userPassword").getAttributeValue("userPassword");
                assertThat(stored).startsWith("{CRYPT}" + saltFormat.substring(0, 3));
            }
            assertThat(verify(compare, "alice", PW).state()).isEqualTo(Verdict.State.ACCEPTED);
            assertThat(verify(rebind, "alice", PW).state()).isEqualTo(Verdict.State.ACCEPTED);
            assertThat(verify(compare, "alice", "initial").state()).isEqualTo(Verdict.State.REJECTED);
        }
    }

    @Test
    void compareOperationShouldMatchCleartextOnlyWhenServerIsSlapd() throws Exception {
        try (SlapdServer slapd = withStoredHashes().start();
             LdapVerifier v = LdapVerifier.create(slapd.settings().mode(LdapSettings.Mode.COMPARE_OPERATION).build())) {
            assertThat(verify(v, "cleartext", PW).state()).isEqualTo(Verdict.State.ACCEPTED);
            assertThat(verify(v, "cleartext", "Secret-pw").state()).isEqualTo(Verdict.State.REJECTED);
            // slapd compares the stored bytes: a hashed value never matches (documented on LdapSettings.Mode)
            assertThat(verify(v, "ssha", PW).state()).isEqualTo(Verdict.State.REJECTED);
        }
    }

    @Test
    void verifyShouldDisableLockedAccountWhenPpolicyLocksAfterThreeFailures() throws Exception {
        try (SlapdServer slapd = SlapdServer.builder().ppolicyLockout(3).user("alice", "alice@example.org", PW).start();
             LdapVerifier v = LdapVerifier.create(slapd.settings().build());
             LdapVerifier blind = LdapVerifier.create(slapd.settings().passwordPolicyControl(false).build())) {
            assertThat(verify(v, "alice", PW).state()).isEqualTo(Verdict.State.ACCEPTED);
            for (int i = 0; i < 3; i++) {
                assertThat(verify(v, "alice", "wrong-" + i).state()).isEqualTo(Verdict.State.REJECTED);
            }
            awaitLockRecorded(slapd, "uid=alice," + SlapdServer.PEOPLE_DN);
            Verdict locked = verify(v, "alice", PW);
            assertThat(locked.state()).isEqualTo(Verdict.State.DISABLED);
            assertThat(locked.reason()).isEqualTo(Verdict.Reason.ACCOUNT_LOCKED);
            // without the request control slapd answers a plain 49: the reason the control is on by default
            assertThat(verify(blind, "alice", PW).state()).isEqualTo(Verdict.State.REJECTED);
        }
    }

    /**
     * slapd's ppolicy overlay writes {@code pwdAccountLockedTime} in its own modify after the third
     * failure; on a loaded machine the next bind (on another pooled connection) can overtake that
     * write. Wait until the directory shows the lock, so the test checks the verifier, not the race.
     */
    private static void awaitLockRecorded(SlapdServer slapd, String dn) throws Exception {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
        try (LDAPConnection root = slapd.rootConnection()) {
            while (true) {
                com.unboundid.ldap.sdk.SearchResultEntry entry = root.getEntry(dn, "pwdAccountLockedTime");
                if (entry != null && entry.hasAttribute("pwdAccountLockedTime")) {
                    return;
                }
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("slapd never recorded the lock of " + dn);
                }
                Thread.sleep(20);
            }
        }
    }

    @Test
    void verifyShouldUseStartTlsWithHostNameCheckWhenTrustStoreHoldsTheCa(@TempDir Path dir) throws Exception {
        TestCa ca = TestCa.create(dir);
        Path store = ca.trustStore(dir.resolve("trust.p12"), "store-secret");
        try (SlapdServer slapd = SlapdServer.builder().tls(ca.certificate(), ca.key(), ca.ca())
                .user("alice", "alice@example.org", PW).start()) {
            LdapSettings.Builder trusted = slapd.settings().startTls(true)
                .trustStore(store, "PKCS12", Optional.of(Secret.of("store-secret")));
            try (LdapVerifier v = LdapVerifier.create(trusted.build())) {
                assertThat(verify(v, "alice", PW).state()).isEqualTo(Verdict.State.ACCEPTED);
                assertThat(verify(v, "alice", "wrong").state()).isEqualTo(Verdict.State.REJECTED);
            }
            // the JVM's CAs do not know the test CA
            try (LdapVerifier v = LdapVerifier.create(slapd.settings().startTls(true).build())) {
                Verdict verdict = verify(v, "alice", PW);
                assertThat(verdict.state()).isEqualTo(Verdict.State.UNAVAILABLE);
                assertThat(verdict.reason()).isEqualTo(Verdict.Reason.TLS_FAILURE);
            }
            // the certificate names 127.0.0.1 only: "localhost" fails the host-name check
            LdapSettings wrongName = LdapSettings.builder().url("ldap://localhost:" + slapd.port())
                .baseDn(SlapdServer.BASE_DN).bind(SlapdServer.SERVICE_DN, Secret.of(SlapdServer.SERVICE_PASSWORD))
                .startTls(true).trustStore(store, "PKCS12", Optional.of(Secret.of("store-secret"))).build();
            try (LdapVerifier v = LdapVerifier.create(wrongName)) {
                Verdict verdict = verify(v, "alice", PW);
                assertThat(verdict.state()).isEqualTo(Verdict.State.UNAVAILABLE);
                assertThat(verdict.reason()).isEqualTo(Verdict.Reason.TLS_FAILURE);
            }
        }
    }

    @Test
    void verifyShouldFailOverWhenFirstUrlIsClosedPort() throws Exception {
        int closed = TestPorts.closedPort();
        try (SlapdServer slapd = SlapdServer.builder().user("alice", "alice@example.org", PW).start()) {
            for (LdapSettings.Mode mode : LdapSettings.Mode.values()) {
                LdapSettings settings = LdapSettings.builder().url("ldap://127.0.0.1:" + closed).url(slapd.url())
                    .baseDn(SlapdServer.BASE_DN).bind(SlapdServer.SERVICE_DN, Secret.of(SlapdServer.SERVICE_PASSWORD))
                    .mode(mode).build();
                try (LdapVerifier v = LdapVerifier.create(settings)) {
                    assertThat(verify(v, "alice", PW).state()).as(mode.name()).isEqualTo(Verdict.State.ACCEPTED);
                }
            }
            slapd.stop();
            LdapSettings both = LdapSettings.builder().url("ldap://127.0.0.1:" + closed).url(slapd.url())
                .baseDn(SlapdServer.BASE_DN).bind(SlapdServer.SERVICE_DN, Secret.of(SlapdServer.SERVICE_PASSWORD)).build();
            try (LdapVerifier v = LdapVerifier.create(both)) {
                assertThat(verify(v, "alice", PW).state()).isEqualTo(Verdict.State.UNAVAILABLE);
            }
        }
    }

    @Test
    void fixtureShouldStopSlapdWhenClosed() throws IOException, InterruptedException {
        SlapdServer slapd = SlapdServer.builder().start();
        Path dir = slapd.directory();
        slapd.close();
        assertThat(slapd.isRunning()).isFalse();
        assertThat(Files.exists(dir)).isFalse();
    }
}
