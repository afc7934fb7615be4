package org.jamespack.auth.kopano;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.jamespack.auth.CredentialVerifier;
import org.jamespack.auth.CredentialVerifierContract;
import org.jamespack.auth.LoginAttempt;
import org.jamespack.auth.Protocol;
import org.jamespack.foundation.Secret;
import org.jamespack.auth.Verdict;
import org.jamespack.auth.Verdict.Reason;
import org.jamespack.auth.Verdict.State;
import org.jamespack.foundation.config.ConfigNode;
import org.jamespack.foundation.config.ConfigProblems;
import org.jamespack.auth.kopano.standin.KopanoStandIn;
import org.jamespack.auth.kopano.standin.KopanoStandIn.BadErrorCode;
import org.jamespack.auth.kopano.standin.KopanoStandIn.Flavour;
import org.jamespack.auth.kopano.standin.KopanoStandIn.Outage;
import org.jamespack.testing.LogCapture;
import org.jamespack.testing.TestPorts;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import ch.qos.logback.classic.Level;

@Timeout(30)
class KopanoVerifierTest {

    static final String PASSWORD = "s3cr&t<pw>\"'\r\n\tü😀";
    static final String OTHER = "Kopano-other-Pw1";

    KopanoStandIn standIn;
    KopanoVerifier verifier;
    LogCapture logs;

    @BeforeEach
    void setUp() throws IOException {
        standIn = KopanoStandIn.start();
        standIn.addUser("alice", PASSWORD);
        logs = new LogCapture("org.jamespack.auth.kopano", Level.DEBUG);
    }

    @AfterEach
    void tearDown() {
        if (verifier != null) {
            verifier.close();
        }
        standIn.close();
        logs.close();
        assertThat(standIn.clientViolations()).isEmpty();
        assertThat(logs.all()).doesNotContain(PASSWORD).doesNotContain("s3cr&amp;t").doesNotContain(OTHER);
    }

    KopanoSettings.Builder settings() {
        return KopanoSettings.builder().url(standIn.url());
    }

    KopanoVerifier verifier(KopanoSettings.Builder s) {
        if (verifier != null) {
            verifier.close();
        }
        verifier = KopanoVerifier.create(s.build());
        return verifier;
    }

    static LoginAttempt attempt(String login, String password, Protocol protocol) {
        return LoginAttempt.of(login, Secret.of(password), protocol);
    }

    static LoginAttempt alice(Protocol protocol) {
        return attempt("alice", PASSWORD, protocol);
    }

    /** The shared contract with a feature gate: the "switched off" account has IMAP disabled. */
    @Nested
    class ContractWithFeatureGate implements CredentialVerifierContract {

        @BeforeEach
        void users() {
            standIn.addUser("kim", PASSWORD).enable("imap");
            standIn.addUser("lee", PASSWORD);
        }

        @Override
        public CredentialVerifier testee() {
            return verifier == null ? verifier(settings().service(ServiceGate.parse("imap"))) : verifier;
        }

        @Override
        public String knownLogin() {
            return "kim";
        }

        @Override
        public Secret rightPassword() {
            return Secret.of(PASSWORD);
        }

        @Override
        public String disabledLogin() {
            return "lee";
        }

        @Override
        public void stopBackend() {
            testee();
            standIn.close();
        }
    }

    /** The shared contract without a gate: the "switched off" object is not an active user. */
    @Nested
    class ContractWithObjectClass implements CredentialVerifierContract {

        @BeforeEach
        void users() {
            standIn.addUser("equipment", PASSWORD).objectClass(0x10004).logonDespiteClass();
        }

        @Override
        public CredentialVerifier testee() {
            return verifier == null ? verifier(settings()) : verifier;
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
            return "equipment";
        }

        @Override
        public void stopBackend() {
            testee();
            standIn.close();
        }
    }

    /** Kopano specifics of the four verdicts beyond the shared contract. */
    @Nested
    class Verdicts {

        @Test
        void verifyShouldAcceptWhenPasswordIsRight() {
            Verdict v = verifier(settings()).verify(alice(Protocol.SMTP));

            assertThat(v.state()).isEqualTo(State.ACCEPTED);
            assertThat(standIn.successfulLogons()).isEqualTo(1);
            assertThat(standIn.logoffs()).isEqualTo(1);
            assertThat(standIn.openSessions()).isZero();
        }

        @Test
        void verifyShouldRejectWhenPasswordIsWrong() {
            Verdict v = verifier(settings()).verify(attempt("alice", OTHER, Protocol.SMTP));

            assertThat(v.state()).isEqualTo(State.REJECTED);
            assertThat(v.reason()).isEqualTo(Reason.INVALID_CREDENTIALS);
            assertThat(standIn.openSessions()).isZero();
        }

        @Test
        void verifyShouldRejectWhenUserIsUnknown() {
            Verdict v = verifier(settings()).verify(attempt("mallory", OTHER, Protocol.SMTP));

            assertThat(v.reason()).isEqualTo(Reason.INVALID_CREDENTIALS);
        }

        @Test
        void verifyShouldRejectEmptyPasswordWithoutAskingTheServer() {
            Verdict v = verifier(settings()).verify(attempt("alice", "", Protocol.SMTP));

            assertThat(v.reason()).isEqualTo(Reason.MALFORMED_INPUT);
            assertThat(standIn.logons()).isEmpty();
            assertThat(standIn.connectionsAccepted()).isZero();
        }

        @Test
        void verifyShouldRejectACharacterXmlCannotCarryWithoutAskingTheServer() {
            Verdict v = verifier(settings()).verify(attempt("alice", "pw\u0001x", Protocol.SMTP));

            assertThat(v.reason()).isEqualTo(Reason.MALFORMED_INPUT);
            assertThat(standIn.logons()).isEmpty();
        }

        @Test
        void verifyShouldBeDisabledWhenTheObjectIsNotAnActiveUser() {
            standIn.addUser("room", OTHER).objectClass(0x10003).logonDespiteClass();

            Verdict v = verifier(settings()).verify(attempt("room", OTHER, Protocol.IMAP));

            assertThat(v.reason()).isEqualTo(Reason.ACCOUNT_DISABLED);
            assertThat(standIn.logoffs()).isEqualTo(1);
            assertThat(standIn.openSessions()).isZero();
        }

        @Test
        void verifyShouldRejectANonActiveUserAsTheServerRefusesItsLogon() {
            standIn.addUser("olduser", OTHER).objectClass(65538);

            assertThat(verifier(settings()).verify(attempt("olduser", OTHER, Protocol.IMAP)).reason())
                .isEqualTo(Reason.INVALID_CREDENTIALS);
        }

        @Test
        void verifyShouldBeUnavailableWhenNothingListens() throws IOException {
            int port = TestPorts.closedPort();
            Verdict v = verifier(settings().url(URI.create("http://127.0.0.1:" + port + "/kopano")))
                .verify(alice(Protocol.SMTP));

            assertThat(v.reason()).isEqualTo(Reason.CONNECT_FAILED);
            assertThat(v.cause()).isPresent();
        }

        @Test
        void verifyShouldSendNoUidAuthAndOnlyTheUnicodeCapabilitiesAndNoImpersonation() {
            verifier(settings()).verify(alice(Protocol.SMTP));

            KopanoStandIn.LogonRequest logon = standIn.logons().get(0);
            assertThat(logon.flags()).isEqualTo(1);
            assertThat(logon.capabilities()).isEqualTo(528);
            assertThat(logon.username()).isEqualTo("alice");
        }

        @Test
        void verifyShouldCarryPasswordsWithXmlSpecialCharactersExactly() {
            standIn.addUser("bob", "a&b<c>d\"e'f]]>g\rh");

            assertThat(verifier(settings()).verify(attempt("bob", "a&b<c>d\"e'f]]>g\rh", Protocol.SMTP)).state())
                .isEqualTo(State.ACCEPTED);
            assertThat(verifier.verify(attempt("bob", "a&b<c>d\"e'f]]>g\nh", Protocol.SMTP)).state())
                .isEqualTo(State.REJECTED);
        }

        @Test
        void verifyShouldAcceptNilNullsFromAnOlderGsoap() {
            standIn.nilForNulls(true);

            assertThat(verifier(settings().service(ServiceGate.parse("imap|pop3"))).verify(alice(Protocol.SMTP)).state())
                .isEqualTo(State.DISABLED);
            standIn.addUser("carol", OTHER).enable("pop3");
            assertThat(verifier.verify(attempt("carol", OTHER, Protocol.SMTP)).state()).isEqualTo(State.ACCEPTED);
        }

        @Test
        void verifyShouldBeUnavailableAfterClose() {
            KopanoVerifier v = verifier(settings());
            v.close();

            assertThat(v.verify(alice(Protocol.SMTP)).state()).isEqualTo(State.UNAVAILABLE);
        }
    }

    @Nested
    class FeatureGates {

        @Test
        void verifyShouldBeDisabledWhenTheServerDefaultDisablesImap() {
            Verdict v = verifier(settings().service(ServiceGate.parse("imap"))).verify(alice(Protocol.IMAP));

            assertThat(v.reason()).isEqualTo(Reason.FEATURE_DISABLED);
            assertThat(standIn.openSessions()).isZero();
            assertThat(standIn.logoffs()).isEqualTo(1);
        }

        @Test
        void verifyShouldAcceptWhenTheUserEnablesTheFeature() {
            standIn.addUser("dave", OTHER).enable("IMAP");

            assertThat(verifier(settings().service(ServiceGate.parse("imap"))).verify(attempt("dave", OTHER, Protocol.IMAP))
                .state()).isEqualTo(State.ACCEPTED);
        }

        @Test
        void verifyShouldPassTheOrGateWhenAnyListedFeatureIsOn() {
            standIn.addUser("erin", OTHER).enable("pop3");
            KopanoVerifier v = verifier(settings().service(ServiceGate.parse("imap|pop3")));

            assertThat(v.verify(attempt("erin", OTHER, Protocol.SMTP)).state()).isEqualTo(State.ACCEPTED);
            assertThat(v.verify(alice(Protocol.SMTP)).reason()).isEqualTo(Reason.FEATURE_DISABLED);
        }

        @Test
        void verifyShouldCompareFeatureNamesCaseInsensitively() {
            standIn.serverDisabledFeatures("IMAP", "Pop3");
            KopanoVerifier v = verifier(settings().service(ServiceGate.parse("Pop3|MOBILE")));

            assertThat(v.verify(alice(Protocol.SMTP)).state()).isEqualTo(State.ACCEPTED);
            standIn.addUser("frank", OTHER).disable("Mobile");
            assertThat(v.verify(attempt("frank", OTHER, Protocol.SMTP)).reason()).isEqualTo(Reason.FEATURE_DISABLED);
        }

        @Test
        void verifyShouldTreatAnUnknownFeatureNameAsOnUnlessDisabled() {
            KopanoVerifier v = verifier(settings().service(ServiceGate.parse("smtprelay")));

            assertThat(v.verify(alice(Protocol.SMTP)).state()).isEqualTo(State.ACCEPTED);
            standIn.addUser("gina", OTHER).disable("smtprelay");
            assertThat(v.verify(attempt("gina", OTHER, Protocol.SMTP)).reason()).isEqualTo(Reason.FEATURE_DISABLED);
        }

        @Test
        void verifyShouldDisableAProtocolWithoutAGateOnceOthersHaveOneUnlessItIsUngated() {
            // alice has imap and pop3 off: the finding was that JMAP, ManageSieve and "other" still got in
            standIn.addUser("ivy", OTHER).enable("imap", "pop3");
            KopanoVerifier v = verifier(settings().service(Protocol.IMAP, ServiceGate.parse("imap"))
                .service(Protocol.POP3, ServiceGate.parse("pop3"))
                .ungatedProtocols(java.util.Set.of(Protocol.SMTP)));

            for (Protocol p : List.of(Protocol.JMAP, Protocol.MANAGESIEVE, Protocol.WEBADMIN, Protocol.OTHER)) {
                Verdict closed = v.verify(alice(p));
                assertThat(closed.reason()).as(p.name()).isEqualTo(Reason.FEATURE_DISABLED);
                assertThat(closed.detail()).contains("ungatedProtocols");
                // the gate closes even for a user with every feature on, and the password is still checked
                assertThat(v.verify(attempt("ivy", OTHER, p)).reason()).as(p.name()).isEqualTo(Reason.FEATURE_DISABLED);
                assertThat(v.verify(attempt("ivy", "wrong-" + OTHER, p)).state()).as(p.name()).isEqualTo(State.REJECTED);
            }
            assertThat(v.verify(alice(Protocol.SMTP)).state()).isEqualTo(State.ACCEPTED);
            assertThat(v.verify(alice(Protocol.IMAP)).reason()).isEqualTo(Reason.FEATURE_DISABLED);
            assertThat(v.verify(attempt("ivy", OTHER, Protocol.IMAP)).state()).isEqualTo(State.ACCEPTED);
            assertThat(standIn.openSessions()).isZero();
        }

        @Test
        void verifyShouldChooseTheGateByProtocol() {
            standIn.addUser("hank", OTHER).enable("pop3");
            KopanoVerifier v = verifier(settings().service(ServiceGate.parse("imap|pop3"))
                .service(Protocol.IMAP, ServiceGate.parse("imap"))
                .service(Protocol.POP3, ServiceGate.parse("pop3"))
                .ungatedProtocols(java.util.Set.of(Protocol.JMAP)));

            assertThat(v.verify(attempt("hank", OTHER, Protocol.IMAP)).reason()).isEqualTo(Reason.FEATURE_DISABLED);
            assertThat(v.verify(attempt("hank", OTHER, Protocol.POP3)).state()).isEqualTo(State.ACCEPTED);
            assertThat(v.verify(attempt("hank", OTHER, Protocol.SMTP)).state()).isEqualTo(State.ACCEPTED);
            assertThat(v.verify(alice(Protocol.SMTP)).reason()).isEqualTo(Reason.FEATURE_DISABLED);
            assertThat(v.verify(alice(Protocol.JMAP)).state()).isEqualTo(State.ACCEPTED);
            assertThat(standIn.openSessions()).isZero();
            assertThat(standIn.logoffs()).isEqualTo(standIn.successfulLogons());
        }

        @Test
        void verifyShouldBeUnavailableAndSayWhyWhenAZarafaBefore7HasNoFeatures() throws IOException {
            standIn.close();
            standIn = KopanoStandIn.start(Flavour.ZARAFA_6);
            standIn.addUser("alice", PASSWORD);

            Verdict v = verifier(settings().service(ServiceGate.parse("imap"))).verify(alice(Protocol.IMAP));

            assertThat(v.reason()).isEqualTo(Reason.PROTOCOL_ERROR);
            assertThat(logs.lines(Level.ERROR)).anySatisfy(l -> assertThat(l).contains("no per-user features")
                .contains("Zarafa before 7").contains("0,6,40"));
            assertThat(standIn.openSessions()).isZero();
        }

        @Test
        void verifyShouldAcceptOnAZarafaBefore7WhenTheGateIsOff() throws IOException {
            standIn.close();
            standIn = KopanoStandIn.start(Flavour.ZARAFA_6);
            standIn.addUser("alice", PASSWORD);

            assertThat(verifier(settings()).verify(alice(Protocol.IMAP)).state()).isEqualTo(State.ACCEPTED);
        }

        @Test
        void verifyShouldBeUnavailableWhenAZarafa7SendsNoFeatureLists() throws IOException {
            standIn.close();
            standIn = KopanoStandIn.start(Flavour.ZARAFA_7_2);
            standIn.addUser("alice", PASSWORD);
            standIn.withoutFeatures(true);

            assertThat(verifier(settings().service(ServiceGate.parse("pop3"))).verify(alice(Protocol.POP3)).reason())
                .isEqualTo(Reason.PROTOCOL_ERROR);
        }

        @Test
        void verifyShouldGateAndRejectOnZarafa72() throws IOException {
            standIn.close();
            standIn = KopanoStandIn.start(Flavour.ZARAFA_7_2);
            standIn.addUser("alice", PASSWORD).enable("pop3");
            KopanoVerifier v = verifier(settings().service(ServiceGate.parse("pop3")));

            assertThat(v.verify(alice(Protocol.POP3)).state()).isEqualTo(State.ACCEPTED);
            assertThat(v.verify(attempt("alice", OTHER, Protocol.POP3)).reason()).isEqualTo(Reason.INVALID_CREDENTIALS);
        }
    }

    @Nested
    class Sessions {

        @Test
        void verifyShouldLogOnAgainOnceWhenTheSessionEndedBeforeGetUser() {
            standIn.expireSessionsBeforeGetUser(1);

            Verdict v = verifier(settings()).verify(alice(Protocol.SMTP));

            assertThat(v.state()).isEqualTo(State.ACCEPTED);
            assertThat(standIn.logons()).hasSize(2);
            assertThat(standIn.openSessions()).isZero();
        }

        @Test
        void verifyShouldBeUnavailableWhenTheSessionEndsTwice() {
            standIn.expireSessionsBeforeGetUser(2);

            Verdict v = verifier(settings()).verify(alice(Protocol.SMTP));

            assertThat(v.state()).isEqualTo(State.UNAVAILABLE);
            assertThat(v.detail()).contains("END_OF_SESSION");
            assertThat(standIn.logons()).hasSize(2);
            assertThat(standIn.openSessions()).isZero();
        }

        @Test
        void verifyShouldLogEverySessionOffWhateverTheVerdict() {
            standIn.addUser("room", OTHER).objectClass(0x10003).logonDespiteClass();
            standIn.addUser("ivan", OTHER).enable("imap");
            KopanoVerifier v = verifier(settings().service(ServiceGate.parse("imap")));

            v.verify(alice(Protocol.IMAP));
            v.verify(attempt("room", OTHER, Protocol.IMAP));
            v.verify(attempt("ivan", OTHER, Protocol.IMAP));
            v.verify(attempt("ivan", PASSWORD, Protocol.IMAP));

            assertThat(standIn.successfulLogons()).isEqualTo(3);
            assertThat(standIn.logoffs()).isEqualTo(3);
            assertThat(standIn.openSessions()).isZero();
        }

        @Test
        void verifyShouldCheckThePasswordWithoutASessionWhenSessionless() {
            Verdict v = verifier(settings().sessionless(true)).verify(alice(Protocol.SMTP));

            assertThat(v.state()).isEqualTo(State.ACCEPTED);
            assertThat(standIn.logons().get(0).flags()).isEqualTo(3);
            assertThat(standIn.getUserCalls()).isZero();
            assertThat(standIn.successfulLogons()).isZero();
            assertThat(verifier.verify(attempt("alice", OTHER, Protocol.SMTP)).state()).isEqualTo(State.REJECTED);
        }

        @Test
        void verifyShouldLogOffWhenAnOlderServerIgnoresSessionless() throws IOException {
            standIn.close();
            standIn = KopanoStandIn.start(Flavour.KOPANO_8_4);
            standIn.addUser("alice", PASSWORD);

            assertThat(verifier(settings().sessionless(true)).verify(alice(Protocol.SMTP)).state()).isEqualTo(State.ACCEPTED);
            assertThat(standIn.successfulLogons()).isEqualTo(1);
            assertThat(standIn.logoffs()).isEqualTo(1);
            assertThat(standIn.openSessions()).isZero();
        }

        @Test
        void verifyShouldBeSafeFromManyThreads() throws Exception {
            standIn.addUser("jack", OTHER).enable("imap");
            KopanoVerifier v = verifier(settings().service(ServiceGate.parse("imap")).maxIdleConnections(4));
            ExecutorService pool = Executors.newFixedThreadPool(8);
            try {
                List<Future<Verdict>> results = new ArrayList<>();
                for (int i = 0; i < 200; i++) {
                    LoginAttempt a = i % 2 == 0 ? attempt("jack", OTHER, Protocol.IMAP) : attempt("jack", "wrong" + i, Protocol.IMAP);
                    results.add(pool.submit(() -> v.verify(a)));
                }
                for (int i = 0; i < results.size(); i++) {
                    assertThat(results.get(i).get().state()).isEqualTo(i % 2 == 0 ? State.ACCEPTED : State.REJECTED);
                }
            } finally {
                pool.shutdownNow();
            }
            assertThat(standIn.openSessions()).isZero();
            assertThat(standIn.logoffs()).isEqualTo(100);
        }
    }

    @Nested
    class Connections {

        @Test
        void verifyShouldReuseAKeepAliveConnection() {
            KopanoVerifier v = verifier(settings());
            v.verify(alice(Protocol.SMTP));
            v.verify(alice(Protocol.SMTP));
            v.verify(attempt("alice", OTHER, Protocol.SMTP));

            assertThat(standIn.connectionsAccepted()).isEqualTo(1);
        }

        @Test
        void verifyShouldRetryOnceOnAFreshConnectionWhenThePooledOneWentStale() throws InterruptedException {
            standIn.idleTimeout(Duration.ofMillis(150));
            KopanoVerifier v = verifier(settings().idleTimeout(Duration.ofSeconds(30)));
            assertThat(v.verify(alice(Protocol.SMTP)).state()).isEqualTo(State.ACCEPTED);

            Thread.sleep(500);
            Verdict again = v.verify(alice(Protocol.SMTP));

            assertThat(again.state()).isEqualTo(State.ACCEPTED);
            assertThat(standIn.connectionsAccepted()).isEqualTo(2);
            assertThat(standIn.openSessions()).isZero();
        }

        @Test
        void verifyShouldNotReuseAConnectionIdleLongerThanTheIdleTimeout() throws InterruptedException {
            KopanoVerifier v = verifier(settings().idleTimeout(Duration.ofMillis(100)));
            v.verify(alice(Protocol.SMTP));

            Thread.sleep(300);
            v.verify(alice(Protocol.SMTP));

            assertThat(standIn.connectionsAccepted()).isEqualTo(2);
        }

        @Test
        void verifyShouldBeUnavailableOnHttp500AndRecoverAfterwards() {
            KopanoVerifier v = verifier(settings());
            standIn.outage(Outage.HTTP_500);

            Verdict down = v.verify(alice(Protocol.SMTP));
            standIn.outage(Outage.NONE);
            Verdict up = v.verify(alice(Protocol.SMTP));

            assertThat(down.reason()).isEqualTo(Reason.SERVER_ERROR);
            assertThat(down.detail()).contains("500");
            assertThat(up.state()).isEqualTo(State.ACCEPTED);
            assertThat(logs.lines(Level.WARN)).anySatisfy(l -> assertThat(l).contains("UNAVAILABLE"));
        }

        @Test
        void verifyShouldBeUnavailableOnASoapFault() {
            standIn.outage(Outage.SOAP_FAULT);

            Verdict v = verifier(settings()).verify(alice(Protocol.SMTP));

            assertThat(v.reason()).isEqualTo(Reason.SERVER_ERROR);
            assertThat(v.detail()).contains("Fault").contains("stand-in outage");
        }

        @Test
        void verifyShouldBeUnavailableWhenTheConnectionIsReset() {
            standIn.outage(Outage.RESET);

            Verdict v = verifier(settings()).verify(alice(Protocol.SMTP));

            assertThat(v.reason()).isEqualTo(Reason.CONNECT_FAILED);
        }

        @Test
        void verifyShouldBeUnavailableWithinTheResponseTimeoutWhenTheServerHangs() {
            standIn.outage(Outage.HANG);
            KopanoVerifier v = verifier(settings().connectTimeout(Duration.ofSeconds(1)).responseTimeout(Duration.ofMillis(400)));

            long start = System.nanoTime();
            Verdict verdict = v.verify(alice(Protocol.SMTP));
            long millis = (System.nanoTime() - start) / 1_000_000;

            assertThat(verdict.reason()).isEqualTo(Reason.TIMEOUT);
            assertThat(millis).isBetween(350L, 1500L);
        }

        @Test
        void verifyShouldBeUnavailableWhenTheAnswerIsNotXml() {
            standIn.outage(Outage.GARBAGE);

            assertThat(verifier(settings()).verify(alice(Protocol.SMTP)).reason()).isEqualTo(Reason.PROTOCOL_ERROR);
        }

        @Test
        void verifyShouldAcceptAnyUrlPath() {
            URI root = URI.create("http://127.0.0.1:" + standIn.port() + "/");
            URI zarafa = URI.create("http://127.0.0.1:" + standIn.port() + "/zarafa");
            URI none = URI.create("http://127.0.0.1:" + standIn.port());

            assertThat(verifier(settings().url(root)).verify(alice(Protocol.SMTP)).state()).isEqualTo(State.ACCEPTED);
            assertThat(verifier(settings().url(zarafa)).verify(alice(Protocol.SMTP)).state()).isEqualTo(State.ACCEPTED);
            assertThat(verifier(settings().url(none)).verify(alice(Protocol.SMTP)).state()).isEqualTo(State.ACCEPTED);
        }
    }

    @Nested
    class ServerErrors {

        @Test
        void verifyShouldBeUnavailableAndLogAnErrorWhenTheUnicodeCapabilityIsMissing() {
            standIn.forceLogonError(KopanoStandIn.UNICODE_MISSING);

            Verdict v = verifier(settings()).verify(alice(Protocol.SMTP));

            assertThat(v.reason()).isEqualTo(Reason.PROTOCOL_ERROR);
            assertThat(logs.lines(Level.ERROR)).anySatisfy(l -> assertThat(l).contains("0x80000031").contains("alice"));
        }

        @Test
        void verifyShouldBeUnavailableAndLogAnErrorWhenTheClientVersionIsRefused() {
            standIn.forceLogonError(KopanoStandIn.INVALID_VERSION);

            Verdict v = verifier(settings().quiet(true)).verify(alice(Protocol.SMTP));

            assertThat(v.reason()).isEqualTo(Reason.PROTOCOL_ERROR);
            assertThat(logs.lines(Level.ERROR)).anySatisfy(l -> assertThat(l).contains("0x80000021"));
        }

        @ParameterizedTest
        @EnumSource(BadErrorCode.class)
        void verifyShouldBeUnavailableAndLogAServerFaultWhenLogonAnswersWithoutAValidErrorCode(BadErrorCode shape) {
            standIn.malformErrorCode(shape, "logon");

            Verdict right = verifier(settings()).verify(alice(Protocol.SMTP));
            Verdict wrong = verifier.verify(attempt("alice", OTHER, Protocol.SMTP));
            Verdict sessionless = verifier(settings().sessionless(true)).verify(attempt("alice", OTHER, Protocol.SMTP));

            for (Verdict v : List.of(right, wrong, sessionless)) {
                assertThat(v.state()).isEqualTo(Verdict.State.UNAVAILABLE);
                assertThat(v.reason()).isEqualTo(Reason.SERVER_ERROR);
                assertThat(v.detail()).contains("server fault").contains("logonResponse").contains("er");
            }
            assertThat(logs.lines(Level.WARN)).anySatisfy(l -> assertThat(l).contains("UNAVAILABLE").contains("server fault"));
            // the right password opened a session on the server: it is logged off all the same
            assertThat(standIn.successfulLogons()).isPositive();
            assertThat(standIn.openSessions()).isZero();
        }

        @ParameterizedTest
        @EnumSource(BadErrorCode.class)
        void verifyShouldBeUnavailableAndStillLogOffWhenGetUserAnswersWithoutAValidErrorCode(BadErrorCode shape) {
            standIn.malformErrorCode(shape, "getUser");

            Verdict v = verifier(settings().service(ServiceGate.parse("imap"))).verify(alice(Protocol.IMAP));
            Verdict noGate = verifier(settings()).verify(alice(Protocol.IMAP));

            assertThat(v.state()).isEqualTo(Verdict.State.UNAVAILABLE);
            assertThat(v.detail()).contains("server fault").contains("getUserResponse");
            assertThat(noGate.state()).isEqualTo(Verdict.State.UNAVAILABLE);
            assertThat(standIn.openSessions()).isZero();
        }

        @Test
        void verifyShouldBeUnavailableOnAnotherLogonError() {
            standIn.forceLogonError(0x80000002L);

            Verdict v = verifier(settings()).verify(alice(Protocol.SMTP));

            assertThat(v.reason()).isEqualTo(Reason.SERVER_ERROR);
            assertThat(v.detail()).contains("0x80000002");
        }
    }

    @Nested
    class Logging {

        @Test
        void verifyShouldLogARejectionUnlessQuiet() {
            verifier(settings()).verify(attempt("alice", OTHER, Protocol.SMTP));
            assertThat(logs.lines(Level.INFO)).anySatisfy(l -> assertThat(l).contains("alice").contains("REJECTED"));
        }

        @Test
        void verifyShouldNotLogARejectionWhenQuiet() {
            verifier(settings().quiet(true)).verify(attempt("alice", OTHER, Protocol.SMTP));
            assertThat(logs.events()).isEmpty();
        }

        @Test
        void verifyShouldLogTheSoapExchangeWithPasswordAndSessionMaskedWhenDebug() {
            verifier(settings().debug(true).service(ServiceGate.parse("pop3|imap|webapp")))
                .verify(alice(Protocol.SMTP));

            String all = logs.all();
            assertThat(all).contains("<szPassword>***</szPassword>").contains("<ulSessionId>***</ulSessionId>")
                .contains("getUserResponse").contains("logoffResponse").contains("<szUsername>alice</szUsername>");
            assertThat(all).doesNotContainPattern("<ulSessionId>[0-9]{4,}");
            assertThat(all).doesNotContain("ü😀");
        }

        @Test
        void verifyShouldKeepThePasswordOutOfVerdictsAndCausesInEveryOutage() {
            for (Outage o : Outage.values()) {
                if (o == Outage.HANG) {
                    continue;
                }
                standIn.outage(o);
                Verdict v = verifier(settings().debug(true)).verify(alice(Protocol.SMTP));
                assertThat(v.toString() + v.detail() + v.cause().map(Throwable::toString).orElse("")).doesNotContain(PASSWORD);
            }
        }
    }

    @Nested
    class UnixSocket {

        @Test
        void settingsShouldRefuseAFileUrlAndExplainTheOpenRelay() {
            org.assertj.core.api.Assertions.assertThatThrownBy(() ->
                    KopanoSettings.builder().url(URI.create("file:///var/run/kopano/server.sock")).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("local_admin_users").hasMessageContaining("open relay")
                .hasMessageContaining("allowUnixSocket");
        }

        @Test
        void fromConfigShouldRecordTheRefusalWithFileLineAndKey() {
            ConfigProblems problems = new ConfigProblems();
            ConfigNode node = xml("<kopano>\n  <url>file:///var/run/kopano/server.sock</url>\n</kopano>", problems);

            KopanoVerifier v = KopanoVerifier.fromConfig(node);

            assertThat(problems.list()).singleElement().asString()
                .startsWith("test.xml:2: kopano/url: 'file:///var/run/kopano/server.sock'")
                .contains("local_admin_users").contains("open relay");
            assertThat(v.verify(alice(Protocol.SMTP)).state()).isEqualTo(State.UNAVAILABLE);
        }

        @Test
        void aLocalAdminCallerShouldGetInWithAnyPasswordWithoutFlag1() throws IOException {
            java.nio.file.Path socket = java.nio.file.Files.createTempDirectory("kopano").resolve("server.sock");
            try (KopanoStandIn unix = KopanoStandIn.startUnix(socket)) {
                unix.addUser("alice", PASSWORD);
                // what pam_mapi warns about, played on the stand-in with a raw SOAP logon over the socket
                String answer = rawUnixLogon(socket, 0);
                assertThat(answer).contains("<er>0</er>");
                assertThat(rawUnixLogon(socket, 1)).contains("<er>2147483657</er>");
            }
        }

        @Test
        void verifyShouldCheckThePasswordOverAnAllowedUnixSocketBecauseFlag1StaysOn() throws IOException {
            java.nio.file.Path socket = java.nio.file.Files.createTempDirectory("kopano").resolve("server.sock");
            try (KopanoStandIn unix = KopanoStandIn.startUnix(socket)) {
                unix.addUser("alice", PASSWORD);
                KopanoVerifier v = verifier(KopanoSettings.builder().unixSocket(socket));

                assertThat(v.verify(attempt("alice", OTHER, Protocol.SMTP)).state()).isEqualTo(State.REJECTED);
                assertThat(v.verify(alice(Protocol.SMTP)).state()).isEqualTo(State.ACCEPTED);
                assertThat(unix.logons()).allSatisfy(l -> assertThat(l.flags() & 1).isEqualTo(1));
                assertThat(unix.openSessions()).isZero();
                assertThat(unix.clientViolations()).isEmpty();
            }
        }

        private String rawUnixLogon(java.nio.file.Path socket, int flags) throws IOException {
            try (java.nio.channels.SocketChannel ch = java.nio.channels.SocketChannel.open(java.net.UnixDomainSocketAddress.of(socket))) {
                byte[] body = org.jamespack.auth.kopano.standin.SoapProbe.logon("alice", "wrong", flags, 528)
                    .getBytes(StandardCharsets.UTF_8);
                String head = "POST / HTTP/1.1\r\nHost: localhost\r\nContent-Type: text/xml; charset=utf-8\r\nContent-Length: "
                    + body.length + "\r\nConnection: close\r\n\r\n";
                ch.write(java.nio.ByteBuffer.wrap(head.getBytes(StandardCharsets.US_ASCII)));
                ch.write(java.nio.ByteBuffer.wrap(body));
                return new String(java.nio.channels.Channels.newInputStream(ch).readNBytes(4096), StandardCharsets.UTF_8);
            }
        }
    }

    static ConfigNode xml(String text, ConfigProblems problems) {
        return ConfigNode.parse(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), "test.xml", problems);
    }
}
