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
import org.jamespack.auth.InputGuard;
import org.jamespack.auth.LoginAttempt;
import org.jamespack.auth.Protocol;
import org.jamespack.foundation.Secret;
import org.jamespack.auth.Verdict;
import org.jamespack.auth.Verdict.Reason;
import org.jamespack.auth.Verdict.State;
import org.jamespack.auth.cache.CacheSettings;
import org.jamespack.auth.cache.CachingVerifier;
import org.jamespack.foundation.config.ConfigNode;
import org.jamespack.foundation.config.ConfigProblems;
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
        assertThat(t.failuresOf(ATTACKER, "alice")).isEqualTo(8);
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
        assertThat(t.failuresOf(ATTACKER, "alice")).as("a throttled answer is no failure").isEqualTo(3);

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

        assertThat(t.failuresOf(address("2001:db8:1:2::77"), "alice")).isEqualTo(3);
        assertThat(t.verify(attempt(ALICE_PW, address("2001:db8:1:2::1234"))).detail()).isEqualTo("throttled");
        assertThat(t.failuresOf(address("2001:db8:1:3::1"), "alice")).isZero();
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
        assertThat(t.failuresOf(ATTACKER, "alice")).isEqualTo(1);
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

        assertThat(t.failuresOf(ALICE_HOME, "alice")).isZero();
    }

    @Test
    void verifyShouldForgetTheFailuresWhenForgetAfterHasPassed() {
        ThrottlingVerifier t = throttle(ThrottleSettings.defaults());
        for (int i = 0; i < 5; i++) {
            t.verify(attempt("guess" + i, ATTACKER));
        }
        advance(Duration.ofMinutes(15));

        assertThat(t.failuresOf(ATTACKER, "alice")).isZero();
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
        assertThat(t.failuresOf(ALICE_HOME, "alice")).isZero();
    }

    @Test
    void admitShouldCountRefusedInputAsAFailureWithoutAskingTheBackend() {
        ThrottlingVerifier t = throttle(ThrottleSettings.defaults());
        LoginAttempt malformed = attempt("", ATTACKER);

        Verdict v = t.admit(malformed, InputGuard.precheck(malformed), false).verdict();

        assertThat(v.reason()).isEqualTo(Reason.MALFORMED_INPUT);
        assertThat(directory.userBinds()).isZero();
        assertThat(sleeps).hasSize(1);
        assertThat(t.failuresOf(ATTACKER, "alice")).isEqualTo(1);
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
        assertThat(t.failuresOf(ATTACKER, "alice")).isZero();
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
            assertThat(t.failuresOf(address("192.0.2.2"), "alice")).isEqualTo(1);

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

    /**
     * A backend held on a latch: counts its calls and the most at once, accepts only alice's
     * password. Answers only when released, so the test controls what is in flight.
     */
    private static final class HeldBackend implements CredentialVerifier {
        final CountDownLatch release = new CountDownLatch(1);
        final java.util.concurrent.Semaphore entered = new java.util.concurrent.Semaphore(0);
        final java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();
        final java.util.concurrent.atomic.AtomicInteger inFlight = new java.util.concurrent.atomic.AtomicInteger();
        final java.util.concurrent.atomic.AtomicInteger maxInFlight = new java.util.concurrent.atomic.AtomicInteger();

        @Override
        public Verdict verify(LoginAttempt attempt) {
            calls.incrementAndGet();
            maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
            entered.release();
            try {
                if (!release.await(30, TimeUnit.SECONDS)) {
                    return Verdict.unavailable(Reason.TIMEOUT, "test backend never released");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Verdict.unavailable(Reason.TIMEOUT, "interrupted");
            } finally {
                inFlight.decrementAndGet();
            }
            boolean right = attempt.login().equals("alice") && attempt.password().equals(Secret.of(ALICE_PW));
            return right ? Verdict.accepted() : Verdict.rejected();
        }

        @Override
        public String name() {
            return "held";
        }
    }

    /** Waits until {@code condition} holds, polling the throttle's own counters (no sleep decides anything). */
    private static void awaitState(String what, java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime() - deadline).as("waiting for " + what).isNegative();
            Thread.onSpinWait();
            Thread.yield();
        }
    }

    private static LoginAttempt login(String login, String password, InetAddress from) {
        return LoginAttempt.of(login, Secret.of(password), Protocol.IMAP).withClient(from);
    }

    @Test
    void concurrentWrongGuessesShouldReachTheBackendOnlyPenaltyAfterTimesWhenTheyWaitForTheirPair() throws Exception {
        HeldBackend held = new HeldBackend();
        // the recorded delays do not move the clock: the waiting guesses must be refused by the penalty, not time out
        ThrottlingVerifier t = new ThrottlingVerifier(ThrottleSettings.defaults().withMaxConcurrentDelays(100), held, nanos::get,
            sleeps::add);
        ExecutorService pool = Executors.newFixedThreadPool(50);
        try {
            List<Future<Verdict>> answers = new java.util.ArrayList<>();
            for (int i = 0; i < 50; i++) {
                String guess = "guess" + i;
                answers.add(pool.submit(() -> t.verify(login("bob", guess, ATTACKER))));
            }
            // 3 (penaltyAfter) reach the backend; the other 47 wait for those answers
            assertThat(held.entered.tryAcquire(3, 30, TimeUnit.SECONDS)).isTrue();
            awaitState("47 guesses waiting", () -> t.stats().waited() == 47);
            assertThat(held.calls.get()).isEqualTo(3);

            held.release.countDown();
            List<Verdict> verdicts = new java.util.ArrayList<>();
            for (Future<Verdict> f : answers) {
                verdicts.add(f.get(30, TimeUnit.SECONDS));
            }

            assertThat(held.calls.get()).as("guesses that reached the backend").isEqualTo(3);
            assertThat(verdicts).allSatisfy(v -> assertThat(v.state()).isEqualTo(State.REJECTED));
            assertThat(verdicts).filteredOn(v -> v.detail().equals("throttled")).hasSize(47);
            assertThat(t.failuresOf(ATTACKER, "bob")).isEqualTo(3);
        } finally {
            held.release.countDown();
            pool.shutdownNow();
        }
    }

    @Test
    void concurrentWrongGuessesShouldReachTheBackendOnlyPenaltyAfterTimesWhenJudgedWithoutWaiting() throws Exception {
        HeldBackend held = new HeldBackend();
        ThrottlingVerifier t = new ThrottlingVerifier(ThrottleSettings.defaults(), held, nanos::get, sleeps::add);
        ExecutorService pool = Executors.newFixedThreadPool(50);
        try {
            List<Future<Judgement>> answers = new java.util.ArrayList<>();
            for (int i = 0; i < 50; i++) {
                String guess = "guess" + i;
                answers.add(pool.submit(() -> t.judge(login("bob", guess, ATTACKER))));
            }
            assertThat(held.entered.tryAcquire(3, 30, TimeUnit.SECONDS)).isTrue();
            // judge never waits: the 47 others are answered while the 3 are still in flight
            awaitState("47 answered without a check", () -> t.stats().busy() == 47);
            assertThat(held.calls.get()).isEqualTo(3);
            held.release.countDown();
            List<Verdict> verdicts = new java.util.ArrayList<>();
            for (Future<Judgement> f : answers) {
                verdicts.add(f.get(30, TimeUnit.SECONDS).verdict());
            }

            assertThat(held.calls.get()).isEqualTo(3);
            assertThat(verdicts).filteredOn(v -> v.state() == State.REJECTED).hasSize(3);
            assertThat(verdicts).filteredOn(v -> v.state() == State.UNAVAILABLE)
                .hasSize(47).allSatisfy(v -> assertThat(v.reason()).isEqualTo(Reason.BUSY));
            assertThat(sleeps).isEmpty();
        } finally {
            held.release.countDown();
            pool.shutdownNow();
        }
    }

    @Test
    void sprayedLoginsShouldHaveAtMostChecksInFlightAtTheBackendAndAlicesRightPasswordAcceptedWhenFromOneAddress()
        throws Exception {
        HeldBackend held = new HeldBackend();
        ThrottleSettings s = ThrottleSettings.defaults().withMaxConcurrentDelays(100)
            .withBudget(new ThrottleSettings.AddressBudget(4, 1000, 100, Duration.ofSeconds(30)));
        ThrottlingVerifier t = new ThrottlingVerifier(s, held, nanos::get, sleeps::add);
        ExecutorService pool = Executors.newFixedThreadPool(51);
        try {
            List<Future<Verdict>> sprayed = new java.util.ArrayList<>();
            for (int i = 0; i < 50; i++) {
                String user = "user" + i;
                sprayed.add(pool.submit(() -> t.verify(login(user, "Summer2026", ATTACKER))));
            }
            assertThat(held.entered.tryAcquire(4, 30, TimeUnit.SECONDS)).isTrue();
            awaitState("46 sprayed logins waiting", () -> t.stats().waited() == 46);
            Future<Verdict> alice = pool.submit(() -> t.verify(login("alice", ALICE_PW, ATTACKER)));
            awaitState("alice waiting too", () -> t.stats().waited() == 47);
            assertThat(held.calls.get()).isEqualTo(4);

            held.release.countDown();

            assertThat(alice.get(30, TimeUnit.SECONDS).state()).isEqualTo(State.ACCEPTED);
            for (Future<Verdict> f : sprayed) {
                assertThat(f.get(30, TimeUnit.SECONDS).state()).isEqualTo(State.REJECTED);
            }
            assertThat(held.calls.get()).as("every login was checked: another login is no guess at the first").isEqualTo(51);
            assertThat(held.maxInFlight.get()).as("checks of one address at once").isEqualTo(4);
        } finally {
            held.release.countDown();
            pool.shutdownNow();
        }
    }

    @Test
    void judgeShouldSpendOneTokenPerFailedCheckAndRefundAcceptedOnesWhenTheAddressSprays() throws Exception {
        ThrottlingVerifier t = throttle(ThrottleSettings.defaults()
            .withBudget(new ThrottleSettings.AddressBudget(4, 1, 3, Duration.ofSeconds(5))));
        directory.addUser("bob", "bob-Secret-1");
        for (int i = 0; i < 3; i++) {
            assertThat(t.judge(login("user" + i, "Summer2026", ATTACKER)).verdict().state()).isEqualTo(State.REJECTED);
        }
        long binds = directory.userBinds();

        Judgement noToken = t.judge(login("user3", "Summer2026", ATTACKER));
        Judgement aliceNoToken = t.judge(login("alice", ALICE_PW, ATTACKER));
        Judgement elsewhere = t.judge(login("user3", "Summer2026", ALICE_HOME));

        assertThat(noToken.verdict().reason()).isEqualTo(Reason.BUSY);
        assertThat(noToken.verdict().detail()).startsWith("throttled");
        assertThat(noToken.delay()).as("the connection is held back, so a sprayer cannot ask again at once")
            .isEqualTo(Duration.ofSeconds(2));
        assertThat(aliceNoToken.verdict().state()).as("a temporary failure, never a wrong password").isEqualTo(State.UNAVAILABLE);
        assertThat(elsewhere.verdict().state()).as("another address has its own budget").isEqualTo(State.REJECTED);
        assertThat(directory.userBinds()).isEqualTo(binds + 1);

        advance(Duration.ofSeconds(1));
        assertThat(t.judge(login("alice", ALICE_PW, ATTACKER)).verdict().state()).isEqualTo(State.ACCEPTED);
        // alice's check gave its token back: bob's right password is checked at once too
        assertThat(t.judge(login("bob", "bob-Secret-1", ATTACKER)).verdict().state()).isEqualTo(State.ACCEPTED);
        assertThat(t.judge(login("user4", "Summer2026", ATTACKER)).verdict().state()).isEqualTo(State.REJECTED);
        assertThat(t.judge(login("user5", "Summer2026", ATTACKER)).verdict().reason()).isEqualTo(Reason.BUSY);
        assertThat(t.stats().busy()).isEqualTo(3);
    }

    @Test
    void judgeShouldCheckAKnownLoginAtOnceWhileItsAddressHasSpentItsBudgetAndForgetItAfterAFailure() {
        ThrottlingVerifier t = throttle(ThrottleSettings.defaults()
            .withBudget(new ThrottleSettings.AddressBudget(4, 1, 3, Duration.ofSeconds(5))));
        // alice logs in from the shared address (a NAT, a webmail front end): her login is known there now
        assertThat(t.judge(login("alice", ALICE_PW, ATTACKER)).verdict().state()).isEqualTo(State.ACCEPTED);
        for (int i = 0; i < 3; i++) {
            assertThat(t.judge(login("user" + i, "Summer2026", ATTACKER)).verdict().state()).isEqualTo(State.REJECTED);
        }
        assertThat(t.judge(login("user3", "Summer2026", ATTACKER)).verdict().reason()).as("the budget is spent").isEqualTo(Reason.BUSY);
        long binds = directory.userBinds();

        Judgement known = t.judge(login("ALICE", ALICE_PW, ATTACKER));

        assertThat(known.verdict().state()).as("a known login is checked beside the spent budget").isEqualTo(State.ACCEPTED);
        assertThat(known.delay()).isZero();
        assertThat(directory.userBinds()).isEqualTo(binds + 1);
        assertThat(t.judge(login("user4", "Summer2026", ATTACKER)).verdict().reason()).as("a sprayer gains nothing")
            .isEqualTo(Reason.BUSY);
        // a wrong password for alice is checked on her lane too, and makes her login unknown again
        Judgement wrong = t.judge(login("alice", "wrong-guess", ATTACKER));
        assertThat(wrong.verdict().state()).isEqualTo(State.REJECTED);
        assertThat(directory.userBinds()).isEqualTo(binds + 2);
        // past the failure delay the bucket has refilled a little; the sprayer spends it again
        advance(wrong.delay());
        for (int i = 5; i < 7; i++) {
            assertThat(t.judge(login("user" + i, "Summer2026", ATTACKER)).verdict().state()).isEqualTo(State.REJECTED);
        }
        assertThat(t.judge(login("alice", ALICE_PW, ATTACKER)).verdict().reason()).as("unknown again: waits for the budget")
            .isEqualTo(Reason.BUSY);
    }

    @Test
    void verifyShouldWaitForATokenAndAcceptWhenTheAddressHasSpentItsBudget() {
        ThrottlingVerifier t = new ThrottlingVerifier(ThrottleSettings.defaults()
            .withCommon(ThrottleSettings.PerProtocol.defaults().withFailureDelay(Duration.ZERO))
            .withBudget(new ThrottleSettings.AddressBudget(4, 20, 1, Duration.ofSeconds(20))), backend);

        assertThat(t.verify(login("user0", "Summer2026", ATTACKER)).state()).isEqualTo(State.REJECTED);
        Verdict alice = t.verify(login("alice", ALICE_PW, ATTACKER));

        assertThat(alice.state()).isEqualTo(State.ACCEPTED);
        assertThat(t.stats().waited()).as("alice waited for the next token").isEqualTo(1);
        assertThat(t.stats().busy()).isZero();
    }

    @Test
    void verifyShouldCheckAndAcceptAnotherUsersRightPasswordWhenTheSameAddressIsPenalisedForBob() {
        // the clock stands still: every attempt after bob's third failure falls inside his penalty
        ThrottlingVerifier t = new ThrottlingVerifier(ThrottleSettings.defaults(), backend, nanos::get, sleeps::add);
        for (int i = 0; i < 6; i++) {
            t.verify(login("bob", "guess" + i, ATTACKER));
        }
        assertThat(t.verify(login("bob", "guess-again", ATTACKER)).detail()).isEqualTo("throttled");
        assertThat(t.verify(login("BOB", "guess-again", ATTACKER)).detail()).as("case folded").isEqualTo("throttled");
        sleeps.clear();
        long binds = directory.userBinds();

        Verdict alice = t.verify(login("alice", ALICE_PW, ATTACKER));

        assertThat(alice.state()).isEqualTo(State.ACCEPTED);
        assertThat(directory.userBinds()).isEqualTo(binds + 1);
        assertThat(sleeps).as("a right password is not delayed").isEmpty();
        assertThat(t.failuresOf(ATTACKER, "bob")).as("bob's count is kept").isEqualTo(3);
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
            + "  <checksInFlight>2</checksInFlight>\n"
            + "  <checksPerSecond>7</checksPerSecond>\n"
            + "  <checkBurst>9</checkBurst>\n"
            + "  <checkWait>3s</checkWait>\n"
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
        assertThat(s.budget()).isEqualTo(new ThrottleSettings.AddressBudget(2, 7, 9, Duration.ofSeconds(3)));
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
