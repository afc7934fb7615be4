package org.jamespack.auth.throttle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.jamespack.auth.CredentialVerifier;
import org.jamespack.auth.LoginAttempt;
import org.jamespack.auth.Protocol;
import org.jamespack.auth.Secret;
import org.jamespack.auth.Verdict;
import org.jamespack.auth.Verdict.Reason;
import org.jamespack.auth.Verdict.State;
import org.jamespack.auth.cache.CacheSettings;
import org.jamespack.auth.cache.CachingVerifier;
import org.jamespack.auth.config.ConfigNode;
import org.jamespack.auth.config.ConfigProblems;
import org.jamespack.auth.testing.BindCountingDirectory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ThrottlingVerifierTest {

    private static final String ALICE_PW = "alice-Secret-1";
    private static final InetAddress ATTACKER = address("192.0.2.66");
    private static final InetAddress ALICE_HOME = address("198.51.100.7");

    private final AtomicLong nanos = new AtomicLong(5_000_000_000L);
    private final List<Duration> sleeps = new CopyOnWriteArrayList<>();
    private BindCountingDirectory directory;
    private CredentialVerifier backend;

    @BeforeEach
    void startDirectory() throws Exception {
        directory = BindCountingDirectory.start().addUser("alice", ALICE_PW);
        backend = directory.verifier();
    }

    @AfterEach
    void stopDirectory() {
        backend.close();
        directory.close();
    }

    private ThrottlingVerifier throttle(ThrottleSettings settings) {
        // the recording sleeper advances the fake clock, as a real sleep would
        return new ThrottlingVerifier(settings, backend, nanos::get, d -> {
            sleeps.add(d);
            nanos.addAndGet(d.toNanos());
        });
    }

    private void advance(Duration d) {
        nanos.addAndGet(d.toNanos());
    }

    private static InetAddress address(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }

    private static LoginAttempt attempt(String password, InetAddress from) {
        return LoginAttempt.of("alice", Secret.of(password), Protocol.IMAP).withClient(from);
    }

    @Test
    void verifyShouldDelayTheAnswerWhenTheLoginFails() {
        ThrottlingVerifier t = throttle(ThrottleSettings.defaults());

        assertThat(t.verify(attempt("guess", ATTACKER)).state()).isEqualTo(State.REJECTED);

        assertThat(sleeps).containsExactly(Duration.ofSeconds(2));
        assertThat(directory.userBinds()).isEqualTo(1);
    }

    @Test
    void verifyShouldNotDelayTheAnswerWhenTheLoginSucceeds() {
        ThrottlingVerifier t = throttle(ThrottleSettings.defaults());

        assertThat(t.verify(attempt(ALICE_PW, ALICE_HOME)).state()).isEqualTo(State.ACCEPTED);

        assertThat(sleeps).isEmpty();
    }

    @Test
    void verifyShouldSleepForRealWhenBuiltWithThePublicConstructor() {
        ThrottlingVerifier t = new ThrottlingVerifier(ThrottleSettings.defaults()
            .withCommon(ThrottleSettings.PerProtocol.defaults().withFailureDelay(Duration.ofMillis(300))), backend);
        long t0 = System.nanoTime();
        t.verify(attempt("guess", ATTACKER));
        long failed = System.nanoTime() - t0;
        long t1 = System.nanoTime();
        t.verify(attempt(ALICE_PW, ALICE_HOME));
        long succeeded = System.nanoTime() - t1;

        assertThat(Duration.ofNanos(failed)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
        assertThat(Duration.ofNanos(succeeded)).isLessThan(Duration.ofMillis(300));
    }

    @Test
    void verifyShouldGrowThePenaltyExponentiallyUpToTheCapWhenOneAddressKeepsFailing() {
        ThrottlingVerifier t = throttle(ThrottleSettings.defaults());
        // failures 1 and 2: no penalty yet (penaltyAfter = 3), only the delay
        t.verify(attempt("guess1", ATTACKER));
        t.verify(attempt("guess2", ATTACKER));
        assertThat(t.verify(attempt("guess3", ATTACKER)).state()).isEqualTo(State.REJECTED);
        assertThat(directory.userBinds()).isEqualTo(3);

        // after the 3rd failure: 2 s, then 4, 8, 15 (cap), 15
        long[] expectedPenaltySeconds = {2, 4, 8, 15, 15};
        for (int i = 0; i < expectedPenaltySeconds.length; i++) {
            long binds = directory.userBinds();
            advance(Duration.ofSeconds(expectedPenaltySeconds[i]).minusMillis(1));
            Verdict refused = t.verify(attempt(ALICE_PW, ATTACKER));
            assertThat(refused.state()).as("inside penalty %d", i).isEqualTo(State.REJECTED);
            assertThat(refused.detail()).isEqualTo("throttled");
            assertThat(directory.userBinds()).as("penalised: backend not asked").isEqualTo(binds);

            // the refused attempt slept out the failure delay (2 s) and did not stretch the window
            advance(Duration.ofMillis(1).minus(Duration.ofSeconds(2)));
            assertThat(t.verify(attempt("guess" + (4 + i), ATTACKER)).state()).isEqualTo(State.REJECTED);
            assertThat(directory.userBinds()).as("window over: backend asked").isEqualTo(binds + 1);
        }
        assertThat(t.failuresOf(ATTACKER)).isEqualTo(8);
        assertThat(t.stats().throttled()).isEqualTo(5);
        assertThat(t.stats().failures()).isEqualTo(8);
    }

    @Test
    void judgeShouldOweTheDelayInsteadOfSleepingWhenTheLoginFails() {
        ThrottlingVerifier t = throttle(ThrottleSettings.defaults());

        Judgement failed = t.judge(attempt("guess", ATTACKER));
        Judgement accepted = t.judge(attempt(ALICE_PW, ALICE_HOME));

        assertThat(failed.verdict().state()).isEqualTo(State.REJECTED);
        assertThat(failed.delay()).isEqualTo(Duration.ofSeconds(2));
        assertThat(accepted.verdict().state()).isEqualTo(State.ACCEPTED);
        assertThat(accepted.delay()).isZero();
        assertThat(sleeps).as("judge never sleeps").isEmpty();
        assertThat(t.stats().delayed()).isEqualTo(1);
        assertThat(t.stats().failures()).isEqualTo(1);
    }

    @Test
    void judgeShouldCountThePenaltyFromTheEndOfTheOwedDelayWhenOneAddressKeepsFailing() {
        ThrottlingVerifier t = throttle(ThrottleSettings.defaults());
        // three failures, each followed by the 2 s the caller holds the connection back
        for (int i = 1; i <= 3; i++) {
            assertThat(t.judge(attempt("guess" + i, ATTACKER)).delay()).isEqualTo(Duration.ofSeconds(2));
            advance(Duration.ofSeconds(2));
        }
        long binds = directory.userBinds();

        // penalty 2 s from the end of the 3rd delay, as verify's sleep would have counted it
        advance(Duration.ofSeconds(2).minusMillis(1));
        Judgement refused = t.judge(attempt(ALICE_PW, ATTACKER));
        assertThat(refused.verdict().detail()).isEqualTo("throttled");
        assertThat(refused.delay()).as("a throttled answer owes the delay too").isEqualTo(Duration.ofSeconds(2));
        assertThat(directory.userBinds()).as("penalised: backend not asked").isEqualTo(binds);
        assertThat(t.failuresOf(ATTACKER)).as("a throttled answer is no failure").isEqualTo(3);

        advance(Duration.ofMillis(1));
        assertThat(t.judge(attempt("guess4", ATTACKER)).verdict().detail()).isNotEqualTo("throttled");
        assertThat(directory.userBinds()).as("window over: backend asked").isEqualTo(binds + 1);
        assertThat(sleeps).isEmpty();
    }

    @Test
    void judgeShouldOweNoDelayWhenTheProtocolIsNotThrottled() {
        ThrottlingVerifier t = throttle(ThrottleSettings.defaults()
            .withCommon(ThrottleSettings.PerProtocol.defaults().withFailureDelay(Duration.ZERO)));

        Judgement failed = t.judge(attempt("guess", ATTACKER));

        assertThat(failed.verdict().state()).isEqualTo(State.REJECTED);
        assertThat(failed.delay()).isZero();
        assertThat(t.stats().delayed()).isZero();
    }

    @Test
    void waitOutShouldSleepBoundedLikeVerifyWhenTheCallerCannotHoldTheConnection() {
        ThrottlingVerifier t = throttle(ThrottleSettings.defaults());

        t.waitOut(Duration.ofSeconds(2));
        t.waitOut(Duration.ZERO);

        assertThat(sleeps).containsExactly(Duration.ofSeconds(2));
    }

    @Test
    void verifyShouldAcceptTheRealUserFromAnotherAddressWithoutDelayWhenAnAttackerIsPenalised() {
        ThrottlingVerifier t = throttle(ThrottleSettings.defaults());
        for (int i = 0; i < 10; i++) {
            t.verify(attempt("guess" + i, ATTACKER));
        }
        sleeps.clear();
        long binds = directory.userBinds();

        assertThat(t.verify(attempt(ALICE_PW, ALICE_HOME)).state()).isEqualTo(State.ACCEPTED);
        assertThat(sleeps).isEmpty();
        assertThat(directory.userBinds()).isEqualTo(binds + 1);
        assertThat(t.verify(attempt(ALICE_PW, ATTACKER)).detail()).isEqualTo("throttled");
    }

    @Test
    void verifyShouldGroupIpv6AddressesByTheirSlash64WhenCountingFailures() {
        ThrottlingVerifier t = throttle(ThrottleSettings.defaults());
        t.verify(attempt("g1", address("2001:db8:1:2::1")));
        t.verify(attempt("g2", address("2001:db8:1:2:ffff:ffff:ffff:fffe")));
        t.verify(attempt("g3", address("2001:db8:1:2:abcd::9")));

        assertThat(t.failuresOf(address("2001:db8:1:2::77"))).isEqualTo(3);
        assertThat(t.verify(attempt(ALICE_PW, address("2001:db8:1:2::1234"))).detail()).isEqualTo("throttled");
        assertThat(t.failuresOf(address("2001:db8:1:3::1"))).isZero();
        assertThat(t.verify(attempt(ALICE_PW, address("2001:db8:1:3::1"))).state()).isEqualTo(State.ACCEPTED);
    }

    @Test
    void verifyShouldTreatAnIpv4MappedAddressAsIpv4WhenCountingFailures() throws Exception {
        ThrottlingVerifier t = throttle(ThrottleSettings.defaults());
        byte[] mapped = new byte[16];
        mapped[10] = (byte) 0xff;
        mapped[11] = (byte) 0xff;
        System.arraycopy(ATTACKER.getAddress(), 0, mapped, 12, 4);
        InetAddress v6 = java.net.Inet6Address.getByAddress(null, mapped, -1);

        t.verify(attempt("g1", v6));

        assertThat(v6).isInstanceOf(java.net.Inet6Address.class);
        assertThat(t.failuresOf(ATTACKER)).isEqualTo(1);
    }

    @Test
    void verifyShouldNotPenaliseWhenTheClientAddressIsUnknown() {
        ThrottlingVerifier t = throttle(ThrottleSettings.defaults());
        for (int i = 0; i < 6; i++) {
            assertThat(t.verify(LoginAttempt.of("alice", Secret.of("guess" + i), Protocol.IMAP)).detail()).isNotEqualTo("throttled");
        }

        assertThat(t.verify(LoginAttempt.of("alice", Secret.of(ALICE_PW), Protocol.IMAP)).state()).isEqualTo(State.ACCEPTED);
        assertThat(sleeps).hasSize(6);
        assertThat(t.stats().addresses()).isZero();
    }

    @Test
    void verifyShouldForgetTheFailuresWhenTheAddressLogsInCorrectly() {
        ThrottlingVerifier t = throttle(ThrottleSettings.defaults());
        t.verify(attempt("typo1", ALICE_HOME));
        t.verify(attempt("typo2", ALICE_HOME));
        t.verify(attempt(ALICE_PW, ALICE_HOME));

        assertThat(t.failuresOf(ALICE_HOME)).isZero();
    }

    @Test
    void verifyShouldForgetTheFailuresWhenForgetAfterHasPassed() {
        ThrottlingVerifier t = throttle(ThrottleSettings.defaults());
        for (int i = 0; i < 5; i++) {
            t.verify(attempt("guess" + i, ATTACKER));
        }
        advance(Duration.ofMinutes(15));

        assertThat(t.failuresOf(ATTACKER)).isZero();
        assertThat(t.verify(attempt(ALICE_PW, ATTACKER)).state()).isEqualTo(State.ACCEPTED);
    }

    @Test
    void verifyShouldNeitherDelayNorCountWhenTheBackendIsUnavailable() {
        ThrottlingVerifier t = throttle(ThrottleSettings.defaults());
        directory.stop();

        for (int i = 0; i < 5; i++) {
            assertThat(t.verify(attempt(ALICE_PW, ALICE_HOME)).state()).isEqualTo(State.UNAVAILABLE);
        }
        assertThat(sleeps).isEmpty();
        assertThat(t.failuresOf(ALICE_HOME)).isZero();
    }

    @Test
    void verifyShouldCountMalformedInputAsAFailureWithoutAskingTheBackend() {
        ThrottlingVerifier t = throttle(ThrottleSettings.defaults());

        Verdict v = t.verify(attempt("", ATTACKER));

        assertThat(v.reason()).isEqualTo(Reason.MALFORMED_INPUT);
        assertThat(directory.userBinds()).isZero();
        assertThat(sleeps).hasSize(1);
        assertThat(t.failuresOf(ATTACKER)).isEqualTo(1);
    }

    @Test
    void verifyShouldUseEachProtocolsSettingsWhenOverridden() {
        ThrottleSettings s = ThrottleSettings.defaults()
            .withProtocol(Protocol.SMTP, ThrottleSettings.PerProtocol.defaults().withFailureDelay(Duration.ofMillis(500)))
            .withProtocol(Protocol.POP3, ThrottleSettings.PerProtocol.defaults().withEnabled(false));
        ThrottlingVerifier t = throttle(s);

        t.verify(LoginAttempt.of("alice", Secret.of("x"), Protocol.SMTP).withClient(ALICE_HOME));
        t.verify(LoginAttempt.of("alice", Secret.of("x"), Protocol.IMAP).withClient(ALICE_HOME));
        for (int i = 0; i < 5; i++) {
            t.verify(LoginAttempt.of("alice", Secret.of("x"), Protocol.POP3).withClient(ATTACKER));
        }

        assertThat(sleeps).containsExactly(Duration.ofMillis(500), Duration.ofSeconds(2));
        assertThat(t.failuresOf(ATTACKER)).isZero();
    }

    @Test
    void verifyShouldAnswerAtOnceWhenTooManyThreadsAreAlreadySleeping() throws Exception {
        CountDownLatch sleeping = new CountDownLatch(1);
        CountDownLatch wake = new CountDownLatch(1);
        ThrottlingVerifier t = new ThrottlingVerifier(ThrottleSettings.defaults().withMaxConcurrentDelays(1), backend, nanos::get,
            d -> {
                sleeping.countDown();
                wake.await(10, TimeUnit.SECONDS);
            });
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<Verdict> first = pool.submit(() -> t.verify(attempt("guess1", address("192.0.2.1"))));
            assertThat(sleeping.await(10, TimeUnit.SECONDS)).isTrue();

            long t0 = System.nanoTime();
            Verdict second = t.verify(attempt("guess2", address("192.0.2.2")));
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5));
            assertThat(second.state()).isEqualTo(State.REJECTED);
            assertThat(t.stats().delaysSkipped()).isEqualTo(1);
            assertThat(t.failuresOf(address("192.0.2.2"))).isEqualTo(1);

            wake.countDown();
            assertThat(first.get(10, TimeUnit.SECONDS).state()).isEqualTo(State.REJECTED);
            assertThat(t.stats().delayed()).isEqualTo(1);
        } finally {
            wake.countDown();
            pool.shutdownNow();
        }
    }

    @Test
    void verifyShouldKeepTheInterruptFlagWhenTheDelayIsInterrupted() {
        ThrottlingVerifier t = new ThrottlingVerifier(ThrottleSettings.defaults(), backend, nanos::get, d -> {
            throw new InterruptedException();
        });
        try {
            assertThat(t.verify(attempt("guess", ATTACKER)).state()).isEqualTo(State.REJECTED);
            assertThat(Thread.currentThread().isInterrupted()).isTrue();
        } finally {
            Thread.interrupted();
        }
    }

    @Test
    void throttleOverCacheShouldDelayCachedFailuresAndSpareTheBackendWhenStackedAsTheAdaptersDo() {
        CachingVerifier cache = new CachingVerifier(CacheSettings.defaults(), backend);
        ThrottlingVerifier t = new ThrottlingVerifier(ThrottleSettings.defaults(), cache, nanos::get, d -> {
            sleeps.add(d);
            nanos.addAndGet(d.toNanos());
        });

        t.verify(LoginAttempt.of("alice", Secret.of("old-password"), Protocol.IMAP).withClient(ALICE_HOME));
        t.verify(LoginAttempt.of("alice", Secret.of("old-password"), Protocol.IMAP).withClient(ALICE_HOME));
        t.verify(LoginAttempt.of("alice", Secret.of(ALICE_PW), Protocol.IMAP).withClient(ALICE_HOME));
        t.verify(LoginAttempt.of("alice", Secret.of(ALICE_PW), Protocol.IMAP).withClient(ALICE_HOME));

        assertThat(sleeps).hasSize(2);
        assertThat(directory.userBinds()).isEqualTo(2);
        assertThat(cache.stats().hits()).isEqualTo(2);
        assertThat(t.name()).isEqualTo("throttle(cache(in-memory-ldap))");
    }

    @Test
    void penaltyForShouldDoubleFromTheInitialValueAndStopAtTheCapWhenFailuresGrow() {
        ThrottleSettings.PerProtocol p = ThrottleSettings.PerProtocol.defaults().withPenalty(1, Duration.ofSeconds(1),
            Duration.ofSeconds(15));

        assertThat(p.penaltyFor(0)).isZero();
        assertThat(p.penaltyFor(1)).isEqualTo(Duration.ofSeconds(1));
        assertThat(p.penaltyFor(2)).isEqualTo(Duration.ofSeconds(2));
        assertThat(p.penaltyFor(4)).isEqualTo(Duration.ofSeconds(8));
        assertThat(p.penaltyFor(5)).isEqualTo(Duration.ofSeconds(15));
        assertThat(p.penaltyFor(Integer.MAX_VALUE)).isEqualTo(Duration.ofSeconds(15));
        assertThat(p.withEnabled(false).penaltyFor(100)).isZero();
    }

    @Test
    void fromConfigShouldReadCommonKeysAndProtocolOverridesWhenWellFormed() {
        ConfigProblems problems = new ConfigProblems();
        ConfigNode node = parse("<throttle failureDelay=\"1s\" penaltyMax=\"30s\">\n"
            + "  <penaltyAfter>5</penaltyAfter>\n"
            + "  <penaltyInitial>3s</penaltyInitial>\n"
            + "  <forgetAfter>1h</forgetAfter>\n"
            + "  <maxAddresses>1000</maxAddresses>\n"
            + "  <maxConcurrentDelays>4</maxConcurrentDelays>\n"
            + "  <protocol name=\"smtp\" failureDelay=\"250ms\"/>\n"
            + "  <protocol name=\"IMAP\"><enabled>false</enabled></protocol>\n"
            + "</throttle>", problems);

        ThrottlingVerifier built = ThrottlingVerifier.fromConfig(node, backend);

        assertThat(problems.list()).isEmpty();
        ThrottleSettings s = built.settings();
        ThrottleSettings.PerProtocol common = new ThrottleSettings.PerProtocol(true, Duration.ofSeconds(1), 5,
            Duration.ofSeconds(3), Duration.ofSeconds(30));
        assertThat(s.forProtocol(Protocol.POP3)).isEqualTo(common);
        assertThat(s.forProtocol(Protocol.SMTP)).isEqualTo(common.withFailureDelay(Duration.ofMillis(250)));
        assertThat(s.forProtocol(Protocol.IMAP)).isEqualTo(common.withEnabled(false));
        assertThat(s.forgetAfter()).isEqualTo(Duration.ofHours(1));
        assertThat(s.maxAddresses()).isEqualTo(1000);
        assertThat(s.maxConcurrentDelays()).isEqualTo(4);
    }

    @Test
    void fromConfigShouldRecordEveryProblemWithFileLineAndKeyWhenValuesAreWrong() {
        ConfigProblems problems = new ConfigProblems();
        ConfigNode node = parse("<throttle>\n"
            + "  <failureDelay>30s</failureDelay>\n"
            + "  <penaltyInitial>1m</penaltyInitial>\n"
            + "  <forgetAfter>5s</forgetAfter>\n"
            + "  <protocol name=\"gopher\"/>\n"
            + "  <protocol failureDelay=\"1s\"/>\n"
            + "  <protocol name=\"smtp\" enabled=\"maybe\" delay=\"1s\"/>\n"
            + "  <protocol name=\"smtp\"/>\n"
            + "</throttle>", problems);

        ThrottlingVerifier.fromConfig(node, backend);

        assertThat(problems.list()).containsExactlyInAnyOrder(
            "throttle.xml:2: throttle/failureDelay: 'PT30S' is longer than PT10S (the delay holds a protocol thread)",
            "throttle.xml:3: throttle/penaltyInitial: 'PT1M' is longer than penaltyMax (PT15S)",
            "throttle.xml:4: throttle/forgetAfter: 'PT5S' must be at least the longest penaltyMax (PT15S) and at most 1 day",
            "throttle.xml:5: throttle/protocol/name: 'gopher': unknown protocol 'gopher' (expected one of smtp, imap, pop3, jmap,"
                + " managesieve, webadmin, other)",
            "throttle.xml:6: throttle/protocol/name: is required",
            "throttle.xml:7: throttle/protocol/enabled: 'maybe' is not true or false",
            "throttle.xml:7: throttle/protocol/delay: unknown setting (a typo?)",
            "throttle.xml:8: throttle/protocol/name: 'smtp' is given more than once");
    }

    @Test
    void settingsShouldRefuseADelayThatWouldHoldAProtocolThreadTooLongWhenBuiltInCode() {
        assertThatThrownBy(() -> ThrottleSettings.PerProtocol.defaults().withFailureDelay(Duration.ofSeconds(11)))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("failureDelay");
        assertThatThrownBy(() -> ThrottleSettings.defaults().withForgetAfter(Duration.ofSeconds(1)))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("forgetAfter");
    }

    private static ConfigNode parse(String xml, ConfigProblems problems) {
        return ConfigNode.parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)), "throttle.xml", problems);
    }
}
