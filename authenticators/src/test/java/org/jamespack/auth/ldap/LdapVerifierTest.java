package org.jamespack.auth.ldap;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

import org.jamespack.auth.CredentialVerifier;
import org.jamespack.auth.CredentialVerifierContract;
import org.jamespack.auth.LoginAttempt;
import org.jamespack.auth.Protocol;
import org.jamespack.foundation.Secret;
import org.jamespack.auth.Verdict;
import org.jamespack.testing.TestPorts;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.slf4j.LoggerFactory;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;

class LdapVerifierTest {

    static final String PASSWORD = "alice-secret";

    /** Common set-up of the contract implementations: alice active, carol disabled, same password. */
    abstract static class Base implements CredentialVerifierContract {
        InMemoryLdap ldap;
        LdapVerifier verifier;

        abstract String stored(String password);

        abstract LdapSettings.Builder configure(LdapSettings.Builder builder);

        @BeforeEach
        void start() {
            ldap = InMemoryLdap.start();
            ldap.addUser("alice", "alice@example.org", stored(PASSWORD));
            ldap.addUser("carol", "carol@example.org", stored(PASSWORD), Optional.of("disabled"));
            verifier = LdapVerifier.create(configure(ldap.settings()).build());
        }

        @AfterEach
        void stop() {
            verifier.close();
            ldap.close();
        }

        @Override
        public CredentialVerifier testee() {
            return verifier;
        }

        @Override
        public String knownLogin() {
            return "alice";
        }

        @Override
        public Secret rightPassword() {
            return Secret.of(PASSWORD);
        }

        @Override
        public String disabledLogin() {
            return "carol";
        }

        @Override
        public void stopBackend() {
            ldap.pause();
        }
    }

    @Nested
    class RebindWithSearch extends Base {
        @Override
        String stored(String password) {
            return InMemoryLdap.ssha(password);
        }

        @Override
        LdapSettings.Builder configure(LdapSettings.Builder builder) {
            return builder.mode(LdapSettings.Mode.REBIND);
        }
    }

    @Nested
    class RebindWithDnTemplate extends Base {
        @Override
        String stored(String password) {
            return InMemoryLdap.ssha(password);
        }

        @Override
        LdapSettings.Builder configure(LdapSettings.Builder builder) {
            return builder.mode(LdapSettings.Mode.REBIND).dnTemplate("uid={login}," + InMemoryLdap.PEOPLE_DN);
        }
    }

    @Nested
    class Compare extends Base {
        @Override
        String stored(String password) {
            return InMemoryLdap.ssha(password);
        }

        @Override
        LdapSettings.Builder configure(LdapSettings.Builder builder) {
            return builder.mode(LdapSettings.Mode.COMPARE);
        }
    }

    @Nested
    class CompareOperation extends Base {
        @Override
        String stored(String password) {
            return password;
        }

        @Override
        LdapSettings.Builder configure(LdapSettings.Builder builder) {
            return builder.mode(LdapSettings.Mode.COMPARE_OPERATION);
        }
    }

    /** Behaviour beyond the contract, on one directory. */
    @Nested
    class Behaviour {
        InMemoryLdap ldap;
        final List<LdapVerifier> verifiers = new ArrayList<>();

        @BeforeEach
        void start() {
            ldap = InMemoryLdap.start();
            ldap.addSshaUser("alice", "alice@example.org", PASSWORD);
        }

        @AfterEach
        void stop() {
            verifiers.forEach(LdapVerifier::close);
            ldap.close();
        }

        LdapVerifier verifier(LdapSettings.Builder builder) {
            LdapVerifier v = LdapVerifier.create(builder.build());
            verifiers.add(v);
            return v;
        }

        Verdict verify(LdapVerifier v, String login, String password) {
            return v.verify(LoginAttempt.of(login, Secret.of(password), Protocol.IMAP));
        }

        static Stream<String> hostileLogins() {
            return Stream.of("*", ")(uid=*", "alice)(uid=*", "*)(|(uid=*", "\\2a", "al*", "alice\u0000", "alice\u0000x",
                "a".repeat(64 * 1024), new String(new byte[] {(byte) 0xc3, (byte) 0x28, 'a'}, StandardCharsets.UTF_8),
                "uid=alice," + InMemoryLdap.PEOPLE_DN, "alice," + InMemoryLdap.PEOPLE_DN, "alice+cn=x", "ALICE\\");
        }

        @ParameterizedTest
        @MethodSource("hostileLogins")
        void verifyShouldNeverAcceptWhenLoginIsHostile(String login) {
            ldap.addUser("star", "star@example.org", "{CLEARTEXT}" + PASSWORD);
            for (LdapSettings.Builder b : List.of(ldap.settings(), ldap.settings().mode(LdapSettings.Mode.COMPARE),
                ldap.settings().mode(LdapSettings.Mode.COMPARE_OPERATION),
                ldap.settings().dnTemplate("uid={login}," + InMemoryLdap.PEOPLE_DN))) {
                Verdict verdict = verify(verifier(b), login, PASSWORD);
                assertThat(verdict.state()).as("%s", b.build().mode()).isEqualTo(Verdict.State.REJECTED);
            }
        }

        @Test
        void verifyShouldSpendOneBindWhenUserIsUnknownInRebindMode() {
            LdapVerifier v = verifier(ldap.settings());
            assertThat(verify(v, "alice", "wrong").state()).isEqualTo(Verdict.State.REJECTED);
            long afterKnown = ldap.binds();
            assertThat(verify(v, "nobody", "wrong").state()).isEqualTo(Verdict.State.REJECTED);
            // the unknown user costs the directory a bind too, so it takes as long as a wrong password
            assertThat(ldap.binds() - afterKnown).isEqualTo(1);
            assertThat(ldap.bindsTo("uid=nobody," + InMemoryLdap.PEOPLE_DN)).isZero();
        }

        @Test
        void verifyShouldNeverBindServiceConnectionAsUserWhenUsersLogIn() throws Exception {
            LdapVerifier v = verifier(ldap.settings().loginAttributes("uid", "mail").usernameAttribute("mail"));
            long serviceBinds = ldap.bindsTo(InMemoryLdap.SERVICE_DN);
            for (int i = 0; i < 20; i++) {
                verify(v, "alice", i % 2 == 0 ? PASSWORD : "wrong");
                assertThat(v.lookup("alice")).contains("alice@example.org");
            }
            // user binds went elsewhere: the service connections were never re-bound (no bind-and-revert)
            assertThat(ldap.bindsTo(InMemoryLdap.SERVICE_DN)).isEqualTo(serviceBinds);
            assertThat(ldap.bindsTo("uid=alice," + InMemoryLdap.PEOPLE_DN)).isEqualTo(20);
        }

        @Test
        void verifyShouldRejectAsAmbiguousWhenTwoEntriesMatch() {
            ldap.addSshaUser("alice2", "alice@example.org", PASSWORD);
            LdapVerifier v = verifier(ldap.settings().loginAttributes("mail"));
            Verdict verdict = verify(v, "alice@example.org", PASSWORD);
            assertThat(verdict.reason()).isEqualTo(Verdict.Reason.AMBIGUOUS_LOGIN);
        }

        @Test
        void verifyShouldAcceptUidAndMailWhenBothAreLoginAttributes() throws Exception {
            LdapVerifier v = verifier(ldap.settings().loginAttributes("uid", "mail").usernameAttribute("mail"));
            assertThat(verify(v, "alice", PASSWORD).state()).isEqualTo(Verdict.State.ACCEPTED);
            assertThat(verify(v, "alice@example.org", PASSWORD).state()).isEqualTo(Verdict.State.ACCEPTED);
            assertThat(v.lookup("alice")).contains("alice@example.org");
            assertThat(v.lookup("alice@example.org")).contains("alice@example.org");
            assertThat(v.lookup("bob")).isEmpty();
            assertThat(v.lookup("*")).isEmpty();
        }

        @Test
        void verifyShouldRejectMailWhenOnlyUidIsLoginAttribute() {
            LdapVerifier v = verifier(ldap.settings());
            assertThat(verify(v, "alice@example.org", PASSWORD).state()).isEqualTo(Verdict.State.REJECTED);
        }

        @Test
        void verifyShouldDisablePop3OnlyWhenAccountStatusIsNopop() {
            ldap.addUser("dave", "dave@example.org", InMemoryLdap.ssha(PASSWORD), Optional.of("nopop"));
            LdapVerifier v = verifier(ldap.settings());
            Verdict pop = v.verify(LoginAttempt.of("dave", Secret.of(PASSWORD), Protocol.POP3));
            assertThat(pop.reason()).isEqualTo(Verdict.Reason.FEATURE_DISABLED);
            assertThat(verify(v, "dave", PASSWORD).state()).isEqualTo(Verdict.State.ACCEPTED);
        }

        @Test
        void verifyShouldAcceptWhenAccountStatusIsActive() {
            ldap.addUser("erin", "erin@example.org", InMemoryLdap.ssha(PASSWORD), Optional.of("active"));
            assertThat(verify(verifier(ldap.settings()), "erin", PASSWORD).state()).isEqualTo(Verdict.State.ACCEPTED);
        }

        @Test
        void verifyShouldDisableWhenNsAccountLockIsTrue() {
            String dn = ldap.addSshaUser("frank", "frank@example.org", PASSWORD);
            ldap.modify(dn, "nsAccountLock", "TRUE");
            assertThat(verify(verifier(ldap.settings()), "frank", PASSWORD).reason()).isEqualTo(Verdict.Reason.ACCOUNT_DISABLED);
        }

        @Test
        void verifyShouldRejectWhenFilterOrObjectClassExcludesEntry() {
            assertThat(verify(verifier(ldap.settings().filter("(mailHost=mx1.example.org)")), "alice", PASSWORD).state())
                .isEqualTo(Verdict.State.REJECTED);
            assertThat(verify(verifier(ldap.settings().objectClass("posixAccount")), "alice", PASSWORD).state())
                .isEqualTo(Verdict.State.REJECTED);
            assertThat(verify(verifier(ldap.settings().objectClass("qmailUser").filter("(cn=alice)")), "alice", PASSWORD).state())
                .isEqualTo(Verdict.State.ACCEPTED);
        }

        @Test
        void verifyShouldAcceptStoredSchemesWhenModeIsCompare() {
            ldap.addUser("c1", "c1@example.org", "{CRYPT}$6$xDXO6NVyRZw4f8TD$rincYLyNEnuIqgxUhKMje.o5NhYJeSkCnRdlBTx2WOpJfKqDX3zhM3Ztd1P3Hc.5Mvp4noZwmQaz6XNqQOdTS/");
            ldap.addUser("c2", "c2@example.org", "{SSHA512}OCYH/Xn/BUJo83A0XlPCfQ/LnL0rQSD87vhbnq+xAN4QKnskvCSLmVyZiQsYSH45FeXW7XXXAhLO+6GOMCG2hJYkPIpPjg47");
            // bcrypt at cost 4 (Python crypt): the cost-12 vector of PasswordHashesTest takes a second here
            ldap.addUser("c3", "c3@example.org", "{CRYPT}$2b$04$y5DDZg3R7fX/Uk65BwDIQewQkvXbLYweZwtj5kJWtxiPsV3DoL4wa");
            LdapVerifier v = verifier(ldap.settings().mode(LdapSettings.Mode.COMPARE));
            for (String login : List.of("c1", "c2", "c3")) {
                assertThat(verify(v, login, "secret-pw").state()).as(login).isEqualTo(Verdict.State.ACCEPTED);
                assertThat(verify(v, login, "secret-px").state()).as(login).isEqualTo(Verdict.State.REJECTED);
            }
        }

        @Test
        void verifyShouldRejectNamingSchemeWhenStoredSchemeIsUnsupported() {
            ldap.addUser("y1", "y1@example.org", "{CRYPT}$y$j9T$F5Jx5fExrKuPp53xLKQ..1$X3DX6M94c7o.9agCG9G317fhZg9SqC.5i5rd.RhAtQ7");
            Verdict verdict = verify(verifier(ldap.settings().mode(LdapSettings.Mode.COMPARE)), "y1", "secret-pw");
            assertThat(verdict.reason()).isEqualTo(Verdict.Reason.UNSUPPORTED_SCHEME);
            assertThat(verdict.detail()).contains("yescrypt");
        }

        @Test
        void listShouldNameEveryUserWhenAsked() throws Exception {
            ldap.addSshaUser("bob", "bob@example.org", "x");
            LdapVerifier v = verifier(ldap.settings().usernameAttribute("mail").objectClass("inetOrgPerson"));
            assertThat(v.list()).containsExactlyInAnyOrder("alice@example.org", "bob@example.org");
            assertThat(v.count()).isEqualTo(2);
        }

        @Test
        void lookupShouldThrowUnavailableWhenDirectoryIsDown() {
            LdapVerifier v = verifier(ldap.settings());
            ldap.pause();
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> v.lookup("alice"))
                .isInstanceOf(org.jamespack.auth.BackendUnavailableException.class);
        }

        @Test
        void verifyShouldRecoverWhenDirectoryComesBack() {
            LdapVerifier v = verifier(ldap.settings());
            assertThat(verify(v, "alice", PASSWORD).state()).isEqualTo(Verdict.State.ACCEPTED);
            ldap.pause();
            assertThat(verify(v, "alice", PASSWORD).state()).isEqualTo(Verdict.State.UNAVAILABLE);
            ldap.resume();
            // every pooled connection went stale: each must be replaced, not fail the login
            for (int i = 0; i < 20; i++) {
                assertThat(verify(v, "alice", PASSWORD).state()).isEqualTo(Verdict.State.ACCEPTED);
            }
        }

        @Test
        void verifyShouldFailOverWhenFirstServerIsClosed() throws IOException {
            int closed = TestPorts.closedPort();
            LdapSettings.Builder b = LdapSettings.builder().url("ldap://127.0.0.1:" + closed).url(ldap.url())
                .baseDn(InMemoryLdap.BASE_DN).bind(InMemoryLdap.SERVICE_DN, Secret.of(InMemoryLdap.SERVICE_PASSWORD));
            assertThat(verify(verifier(b), "alice", PASSWORD).state()).isEqualTo(Verdict.State.ACCEPTED);
        }

        @Test
        void verifyShouldBeUnavailableWithTimeoutWhenServerNeverAnswers() throws Exception {
            try (ServerSocket silent = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
                List<Socket> held = new ArrayList<>();
                Thread acceptor = new Thread(() -> {
                    try {
                        while (true) {
                            held.add(silent.accept());
                        }
                    } catch (IOException e) {
                        // the test closed the socket
                    }
                });
                acceptor.setDaemon(true);
                acceptor.start();
                LdapVerifier v = verifier(LdapSettings.builder().url("ldap://127.0.0.1:" + silent.getLocalPort())
                    .baseDn(InMemoryLdap.BASE_DN).bind(InMemoryLdap.SERVICE_DN, Secret.of(InMemoryLdap.SERVICE_PASSWORD))
                    .responseTimeout(Duration.ofMillis(300)).connectTimeout(Duration.ofMillis(300)));
                long start = System.nanoTime();
                Verdict verdict = verify(v, "alice", PASSWORD);
                long millis = (System.nanoTime() - start) / 1_000_000;
                assertThat(verdict.state()).isEqualTo(Verdict.State.UNAVAILABLE);
                assertThat(millis).isLessThan(3_000);
                for (Socket s : held) {
                    s.close();
                }
            }
        }

        @Test
        void verifyShouldAcceptEveryRightPasswordWhenThirtyTwoThreadsLogIn() throws Exception {
            for (int i = 0; i < 20; i++) {
                ldap.addSshaUser("u" + i, "u" + i + "@example.org", "pw-" + i);
            }
            LdapVerifier v = verifier(ldap.settings());
            ExecutorService pool = Executors.newFixedThreadPool(32);
            try {
                List<Future<Verdict>> results = new ArrayList<>();
                for (int n = 0; n < 1600; n++) {
                    int i = n % 20;
                    results.add(pool.submit(() -> verify(v, "u" + i, "pw-" + i)));
                }
                for (Future<Verdict> f : results) {
                    assertThat(f.get().state()).isEqualTo(Verdict.State.ACCEPTED);
                }
            } finally {
                pool.shutdownNow();
            }
        }

        @Test
        void verifyShouldNeverLogPasswordWhateverTheVerdict() {
            Logger logger = (Logger) LoggerFactory.getLogger(LdapVerifier.class);
            ListAppender<ILoggingEvent> appender = new ListAppender<>();
            appender.start();
            logger.addAppender(appender);
            try {
                ldap.addUser("carol", "carol@example.org", InMemoryLdap.ssha(PASSWORD), Optional.of("disabled"));
                ldap.addSshaUser("alice2", "alice@example.org", PASSWORD);
                LdapVerifier v = verifier(ldap.settings().loginAttributes("uid", "mail"));
                verify(v, "alice", PASSWORD);
                verify(v, "alice", PASSWORD + "-wrong");
                verify(v, "carol", PASSWORD);
                verify(v, "alice@example.org", PASSWORD);
                verify(v, "nobody", PASSWORD);
                ldap.pause();
                verify(v, "alice", PASSWORD);
                assertThat(appender.list).isNotEmpty();
                for (ILoggingEvent event : appender.list) {
                    assertThat(event.getFormattedMessage()).doesNotContain(PASSWORD);
                    if (event.getThrowableProxy() != null) {
                        assertThat(event.getThrowableProxy().getMessage()).doesNotContain(PASSWORD);
                    }
                }
            } finally {
                logger.detachAppender(appender);
            }
        }

        @Test
        void settingsShouldNotPrintPasswordsWhenPrinted() {
            assertThat(ldap.settings().build().toString()).doesNotContain(InMemoryLdap.SERVICE_PASSWORD);
        }
    }
}
