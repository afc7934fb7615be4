package org.jamespack.auth.cache;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

import org.jamespack.auth.CredentialVerifier;
import org.jamespack.auth.LoginAttempt;
import org.jamespack.auth.Protocol;
import org.jamespack.foundation.Secret;
import org.jamespack.auth.Verdict;
import org.jamespack.auth.Verdict.Reason;
import org.jamespack.auth.Verdict.State;
import org.jamespack.foundation.config.ConfigNode;
import org.jamespack.foundation.config.ConfigProblems;
import org.jamespack.auth.testing.BindCountingDirectory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;

class CachingVerifierTest {

    private static final String ALICE_PW = "alice-Secret-1";
    private static final String BOB_PW = "bob-Secret-1";

    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
    private BindCountingDirectory directory;
    private CredentialVerifier backend;
    private CachingVerifier cache;

    @BeforeEach
    void startDirectory() throws Exception {
        directory = BindCountingDirectory.start().addUser("alice", ALICE_PW).addUser("bob", BOB_PW);
        backend = directory.verifier();
        cache = cacheWith(CacheSettings.defaults().withPositiveTtl(Duration.ofMinutes(5)).withNegativeTtl(Duration.ofMinutes(1)));
    }

    @AfterEach
    void stopDirectory() {
        cache.close();
        directory.close();
    }

    private CachingVerifier cacheWith(CacheSettings settings) {
        return new CachingVerifier(settings, backend, nanos::get);
    }

    private void advance(Duration d) {
        nanos.addAndGet(d.toNanos());
    }

    private static LoginAttempt login(String user, String password) {
        return LoginAttempt.of(user, Secret.of(password), Protocol.IMAP);
    }

    @Test
    void verifyShouldNotReachTheBackendWhenTheSameLoginIsCached() {
        assertThat(cache.verify(login("alice", ALICE_PW)).state()).isEqualTo(State.ACCEPTED);
        assertThat(cache.verify(login("alice", ALICE_PW)).state()).isEqualTo(State.ACCEPTED);
        assertThat(cache.verify(login("alice", ALICE_PW)).state()).isEqualTo(State.ACCEPTED);

        assertThat(directory.userBinds()).isEqualTo(1);
        assertThat(cache.stats()).isEqualTo(new CacheStats(2, 1, 0, 1));
    }

    @Test
    void verifyShouldAskTheBackendWhenThePositiveEntryExpired() {
        cache.verify(login("alice", ALICE_PW));
        advance(Duration.ofMinutes(5).minusNanos(1));
        cache.verify(login("alice", ALICE_PW));
        assertThat(directory.userBinds()).isEqualTo(1);

        advance(Duration.ofNanos(1));
        assertThat(cache.verify(login("alice", ALICE_PW)).state()).isEqualTo(State.ACCEPTED);
        assertThat(directory.userBinds()).isEqualTo(2);
    }

    @Test
    void verifyShouldKeyOnTheProtocolWhenTheSameLoginUsesAnother() {
        cache.verify(login("alice", ALICE_PW));
        cache.verify(LoginAttempt.of("alice", Secret.of(ALICE_PW), Protocol.SMTP));

        assertThat(directory.userBinds()).isEqualTo(2);
    }

    @Test
    void verifyShouldTreatAMismatchAgainstACachedSuccessAsAMissWhenThePasswordDiffers() {
        cache.verify(login("alice", ALICE_PW));

        Verdict wrong = cache.verify(login("alice", "not-her-password"));

        assertThat(wrong.state()).isEqualTo(State.REJECTED);
        assertThat(directory.userBinds()).isEqualTo(2);
        // the failure did not push out her cached success
        assertThat(cache.verify(login("alice", ALICE_PW)).state()).isEqualTo(State.ACCEPTED);
        assertThat(directory.userBinds()).isEqualTo(2);
    }

    @Test
    void verifyShouldNeverReuseTheOldPositiveEntryWhenThePasswordChanged() throws Exception {
        cache.verify(login("alice", ALICE_PW));
        directory.setPassword("alice", "alice-New-2");

        assertThat(cache.verify(login("alice", "alice-New-2")).state()).isEqualTo(State.ACCEPTED);
        assertThat(directory.userBinds()).isEqualTo(2);
        // the new password replaced the old one in the positive slot: the old one is asked again, and refused
        assertThat(cache.verify(login("alice", ALICE_PW)).state()).isEqualTo(State.REJECTED);
        assertThat(directory.userBinds()).isEqualTo(3);
        assertThat(cache.verify(login("alice", "alice-New-2")).state()).isEqualTo(State.ACCEPTED);
        assertThat(directory.userBinds()).isEqualTo(3);
    }

    @Test
    void verifyShouldDropThePositiveSlotWhenTheBackendRejectsItsPasswordAfterExpiry() throws Exception {
        CachingVerifier stale = cacheWith(CacheSettings.defaults().withPositiveTtl(Duration.ofMinutes(1))
            .withStaleMaxAge(Duration.ofHours(1)));
        stale.verify(login("alice", ALICE_PW));
        directory.setPassword("alice", "alice-New-2");
        advance(Duration.ofMinutes(2));
        assertThat(stale.verify(login("alice", ALICE_PW)).state()).isEqualTo(State.REJECTED);

        directory.stop();

        // the changed password was seen: the old one is not served stale in the outage
        assertThat(stale.verify(login("alice", ALICE_PW)).state()).isEqualTo(State.REJECTED); // fresh negative hit
        advance(Duration.ofMinutes(2));
        assertThat(stale.verify(login("alice", ALICE_PW)).state()).isEqualTo(State.UNAVAILABLE);
        assertThat(stale.stats().staleServed()).isZero();
    }

    @Test
    void verifyShouldServeACachedRejectionUntilTheNegativeTtlWhenTheSamePasswordIsRetried() {
        assertThat(cache.verify(login("bob", "old-password")).state()).isEqualTo(State.REJECTED);
        advance(Duration.ofSeconds(59));
        assertThat(cache.verify(login("bob", "old-password")).state()).isEqualTo(State.REJECTED);
        assertThat(directory.userBinds()).isEqualTo(1);

        advance(Duration.ofSeconds(1));
        assertThat(cache.verify(login("bob", "old-password")).state()).isEqualTo(State.REJECTED);
        assertThat(directory.userBinds()).isEqualTo(2);
    }

    @Test
    void verifyShouldAskTheBackendWhenAnotherPasswordFollowsACachedRejection() {
        cache.verify(login("bob", "typo"));

        assertThat(cache.verify(login("bob", BOB_PW)).state()).isEqualTo(State.ACCEPTED);
        assertThat(directory.userBinds()).isEqualTo(2);
    }

    @Test
    void verifyShouldCacheNothingWhenBothTtlsAreZero() {
        CachingVerifier none = cacheWith(CacheSettings.defaults().withPositiveTtl(Duration.ZERO).withNegativeTtl(Duration.ZERO));
        none.verify(login("alice", ALICE_PW));
        none.verify(login("alice", ALICE_PW));
        none.verify(login("bob", "wrong"));
        none.verify(login("bob", "wrong"));

        assertThat(directory.userBinds()).isEqualTo(4);
        assertThat(none.stats().entries()).isZero();
    }

    @Test
    void verifyShouldServeAStalePositiveEntryWhenTheBackendIsDownWithinTheBound() {
        CachingVerifier stale = cacheWith(CacheSettings.defaults().withPositiveTtl(Duration.ofMinutes(1))
            .withStaleMaxAge(Duration.ofHours(1)));
        stale.verify(login("alice", ALICE_PW));
        directory.stop();
        advance(Duration.ofMinutes(59));

        Verdict served = stale.verify(login("alice", ALICE_PW));

        assertThat(served.state()).isEqualTo(State.ACCEPTED);
        assertThat(served.detail()).startsWith("stale cache");
        assertThat(stale.stats().staleServed()).isEqualTo(1);
        assertThat(stale.stats().misses()).isEqualTo(2);
    }

    @Test
    void verifyShouldAnswerUnavailableWhenTheStaleEntryIsOlderThanTheBound() {
        CachingVerifier stale = cacheWith(CacheSettings.defaults().withPositiveTtl(Duration.ofMinutes(1))
            .withStaleMaxAge(Duration.ofHours(1)));
        stale.verify(login("alice", ALICE_PW));
        directory.stop();
        advance(Duration.ofHours(1));

        Verdict v = stale.verify(login("alice", ALICE_PW));

        assertThat(v.state()).isEqualTo(State.UNAVAILABLE);
        assertThat(v.cause()).isPresent();
        assertThat(stale.stats().staleServed()).isZero();
    }

    @Test
    void verifyShouldAnswerUnavailableWhenServeStaleIsOff() {
        cache.verify(login("alice", ALICE_PW));
        directory.stop();
        advance(Duration.ofMinutes(6));

        assertThat(cache.verify(login("alice", ALICE_PW)).state()).isEqualTo(State.UNAVAILABLE);
    }

    @Test
    void verifyShouldNeverTurnANegativeEntryPositiveWhenTheBackendIsDown() {
        CachingVerifier stale = cacheWith(CacheSettings.defaults().withPositiveTtl(Duration.ofMinutes(1))
            .withStaleMaxAge(Duration.ofHours(1)));
        stale.verify(login("alice", ALICE_PW));
        stale.verify(login("alice", "guess"));
        directory.stop();
        advance(Duration.ofMinutes(2));

        assertThat(stale.verify(login("alice", "guess")).state()).isEqualTo(State.UNAVAILABLE);
        assertThat(stale.verify(login("alice", "another guess")).state()).isEqualTo(State.UNAVAILABLE);
        assertThat(stale.verify(login("mallory", "guess")).state()).isEqualTo(State.UNAVAILABLE);
        assertThat(stale.stats().staleServed()).isZero();
    }

    @Test
    void sizeShouldStayWithinTheBoundWhenManyUsersLogIn() throws Exception {
        CachingVerifier small = cacheWith(CacheSettings.defaults().withMaxEntries(3));
        for (int i = 0; i < 20; i++) {
            directory.addUser("user" + i, "pw-" + i);
            small.verify(login("user" + i, "pw-" + i));
        }
        small.cleanUp();

        assertThat(small.stats().entries()).isLessThanOrEqualTo(3);
        assertThat(directory.userBinds()).isEqualTo(20);
    }

    @Test
    void invalidateShouldForgetEveryProtocolOfTheLoginWhenCalledWithAnyCase() {
        cache.verify(login("alice", ALICE_PW));
        cache.verify(LoginAttempt.of("alice", Secret.of(ALICE_PW), Protocol.SMTP));
        cache.verify(login("bob", BOB_PW));

        cache.invalidate("ALICE");
        cache.verify(login("alice", ALICE_PW));
        cache.verify(LoginAttempt.of("alice", Secret.of(ALICE_PW), Protocol.SMTP));
        cache.verify(login("bob", BOB_PW));

        assertThat(directory.userBinds()).isEqualTo(5);
    }

    @Test
    void invalidateShouldForgetEveryLoginFormWithTheSameLocalPartWhenTheBackendIsNoDirectory() {
        cache.verify(login("alice", ALICE_PW));
        cache.verify(login("ALICE", ALICE_PW));
        cache.verify(login("alice@example.org", ALICE_PW)); // no such DN here: a cached REJECTED
        cache.verify(login("bob", BOB_PW));
        long binds = directory.userBinds();

        int dropped = cache.invalidate("Alice@Example.org");

        assertThat(dropped).isEqualTo(3);
        cache.verify(login("alice", ALICE_PW));
        cache.verify(login("ALICE", ALICE_PW));
        cache.verify(login("bob", BOB_PW));
        assertThat(directory.userBinds()).as("alice's forms asked again, bob served from the cache").isEqualTo(binds + 2);
    }

    /** The cache over a real directory that knows alice as uid {@code alice} and mail {@code a.smith@example.org}. */
    @org.junit.jupiter.api.Nested
    class OverADirectory {
        private org.jamespack.auth.ldap.InMemoryLdap ldap;
        private org.jamespack.auth.ldap.LdapVerifier verifier;
        private CachingVerifier byUser;
        private String aliceDn;

        @BeforeEach
        void start() {
            ldap = org.jamespack.auth.ldap.InMemoryLdap.start();
            aliceDn = ldap.addSshaUser("alice", "a.smith@example.org", ALICE_PW);
            ldap.addSshaUser("bob", "bob@example.org", BOB_PW);
            verifier = org.jamespack.auth.ldap.LdapVerifier.create(ldap.settings()
                .mode(org.jamespack.auth.ldap.LdapSettings.Mode.REBIND)
                .loginAttributes("uid", "mail").usernameAttribute("mail").build());
            byUser = new CachingVerifier(CacheSettings.defaults(), verifier, nanos::get);
            for (String form : List.of("alice", "ALICE", "a.smith@example.org")) {
                assertThat(byUser.verify(login(form, ALICE_PW)).state()).as(form).isEqualTo(State.ACCEPTED);
            }
            assertThat(byUser.verify(login("bob", BOB_PW)).state()).isEqualTo(State.ACCEPTED);
            assertThat(byUser.verify(login("mallory@example.org", "guess")).state()).isEqualTo(State.REJECTED);
        }

        @AfterEach
        void stop() {
            byUser.close();
            ldap.close();
        }

        @Test
        void invalidateShouldForgetEveryFormTheDirectoryMapsToTheUserWhenThePasswordChanged() {
            ldap.modify(aliceDn, "userPassword", org.jamespack.auth.ldap.InMemoryLdap.ssha("alice-New-2"));

            int dropped = byUser.invalidate("alice");

            assertThat(dropped).as("alice, ALICE and a.smith@example.org; not bob, not mallory's cached failure").isEqualTo(3);
            for (String form : List.of("alice", "ALICE", "a.smith@example.org")) {
                assertThat(byUser.verify(login(form, ALICE_PW)).state()).as("old password by " + form).isEqualTo(State.REJECTED);
            }
            assertThat(byUser.stats().hits()).isZero();
            assertThat(byUser.verify(login("bob", BOB_PW)).state()).isEqualTo(State.ACCEPTED);
            assertThat(byUser.stats().hits()).as("bob's entry was kept").isEqualTo(1);
        }

        @Test
        void invalidateShouldForgetTheUidFormWhenGivenTheMailFormOfADisabledAccount() {
            ldap.modify(aliceDn, "accountStatus", "disabled");

            byUser.invalidate("A.Smith@example.org");

            assertThat(byUser.verify(login("alice", ALICE_PW)).state()).isEqualTo(State.DISABLED);
            assertThat(byUser.verify(login("ALICE", ALICE_PW)).state()).isEqualTo(State.DISABLED);
        }

        @Test
        void invalidateShouldForgetEveryAcceptedEntryWhenTheDirectoryCannotSayWhoIsWho() {
            ldap.pause();
            try {
                assertThat(byUser.invalidate("alice")).isEqualTo(4);
            } finally {
                ldap.resume();
            }
        }
    }

    @Test
    void invalidateAllShouldForgetEveryEntryWhenCalled() {
        cache.verify(login("alice", ALICE_PW));
        cache.verify(login("bob", BOB_PW));
        cache.invalidateAll();
        cache.verify(login("alice", ALICE_PW));
        cache.verify(login("bob", BOB_PW));

        assertThat(directory.userBinds()).isEqualTo(4);
        assertThat(cache.stats().hits()).isZero();
    }

    @Test
    void verifyShouldNeverCacheDisabledOrUnavailableWhenTheBackendSaysSo() {
        Scripted script = new Scripted(
            a -> Verdict.disabled(Reason.ACCOUNT_LOCKED, "ppolicy"),
            a -> Verdict.disabled(Reason.ACCOUNT_LOCKED, "ppolicy"),
            a -> Verdict.unavailable(Reason.TIMEOUT, "5s"),
            a -> Verdict.unavailable(Reason.TIMEOUT, "5s"));
        CachingVerifier c = new CachingVerifier(CacheSettings.defaults().withStaleMaxAge(Duration.ofHours(1)), script, nanos::get);

        assertThat(c.verify(login("carol", "pw")).state()).isEqualTo(State.DISABLED);
        assertThat(c.verify(login("carol", "pw")).state()).isEqualTo(State.DISABLED);
        assertThat(c.verify(login("carol", "pw")).state()).isEqualTo(State.UNAVAILABLE);
        assertThat(c.verify(login("carol", "pw")).state()).isEqualTo(State.UNAVAILABLE);
        assertThat(script.calls.get()).isEqualTo(4);
        assertThat(c.stats().entries()).isZero();
    }

    @Test
    void verifyShouldDropTheEntrySoNothingIsServedStaleWhenTheAccountWasDisabled() {
        Scripted script = new Scripted(
            a -> Verdict.accepted(),
            a -> Verdict.disabled(Reason.ACCOUNT_DISABLED, "nsAccountLock"),
            a -> Verdict.unavailable(Reason.TIMEOUT, "5s"));
        CachingVerifier c = new CachingVerifier(CacheSettings.defaults().withPositiveTtl(Duration.ofMinutes(1))
            .withStaleMaxAge(Duration.ofHours(1)), script, nanos::get);
        c.verify(login("carol", "pw"));
        advance(Duration.ofMinutes(2));

        assertThat(c.verify(login("carol", "pw")).state()).isEqualTo(State.DISABLED);
        assertThat(c.verify(login("carol", "pw")).state()).isEqualTo(State.UNAVAILABLE);
    }

    @Test
    void verifyShouldNotStoreTheAnswerWhenAnInvalidationHappenedDuringTheBackendCall() {
        AtomicInteger calls = new AtomicInteger();
        CachingVerifier[] self = new CachingVerifier[1];
        CredentialVerifier racing = new CredentialVerifier() {
            @Override
            public Verdict verify(LoginAttempt attempt) {
                if (calls.incrementAndGet() == 1) {
                    self[0].invalidate(attempt.login()); // the operator changes the password meanwhile
                }
                return Verdict.accepted();
            }

            @Override
            public String name() {
                return "racing";
            }
        };
        self[0] = new CachingVerifier(CacheSettings.defaults(), racing, nanos::get);

        self[0].verify(login("carol", "pw"));
        self[0].verify(login("carol", "pw"));
        self[0].verify(login("carol", "pw"));

        assertThat(calls.get()).isEqualTo(2);
    }

    @Test
    void logsShouldNeverHoldThePasswordWhenServingHitsMissesAndStaleAnswers() {
        Logger logger = (Logger) LoggerFactory.getLogger(CachingVerifier.class);
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        Level before = logger.getLevel();
        logger.setLevel(Level.DEBUG);
        logger.addAppender(appender);
        try {
            CachingVerifier stale = cacheWith(CacheSettings.defaults().withPositiveTtl(Duration.ofMinutes(1))
                .withStaleMaxAge(Duration.ofHours(1)));
            stale.verify(login("alice", ALICE_PW));
            stale.verify(login("alice", ALICE_PW));
            stale.verify(login("alice", "wrong-" + ALICE_PW));
            directory.stop();
            advance(Duration.ofMinutes(2));
            stale.verify(login("alice", ALICE_PW));
            stale.invalidate("alice");

            assertThat(appender.list).isNotEmpty();
            assertThat(appender.list).allSatisfy(e -> assertThat(e.getFormattedMessage()).doesNotContain(ALICE_PW));
            assertThat(stale.toString()).doesNotContain(ALICE_PW);
        } finally {
            logger.detachAppender(appender);
            logger.setLevel(before);
        }
    }

    @Test
    void fromConfigShouldReadEveryKeyWhenWrittenAsElementsOrAttributes() {
        ConfigProblems problems = new ConfigProblems();
        ConfigNode node = parse("<cache positiveTtl=\"2m\" negativeTtl=\"30s\">\n"
            + "  <maxEntries>500</maxEntries>\n"
            + "  <staleMaxAge>1h</staleMaxAge>\n"
            + "  <passwordHash>PBKDF2-SHA256</passwordHash>\n"
            + "  <hashIterations>1000</hashIterations>\n"
            + "</cache>", problems);

        CachingVerifier built = CachingVerifier.fromConfig(node, backend);

        assertThat(problems.list()).isEmpty();
        assertThat(built.settings()).isEqualTo(new CacheSettings(Duration.ofMinutes(2), Duration.ofSeconds(30), 500,
            Duration.ofHours(1), PasswordHash.PBKDF2_SHA256, 1000));
        assertThat(built.name()).isEqualTo("cache(in-memory-ldap)");
    }

    @Test
    void fromConfigShouldRecordEveryProblemWithFileLineAndKeyWhenValuesAreWrong() {
        ConfigProblems problems = new ConfigProblems();
        ConfigNode node = parse("<cache>\n"
            + "  <positiveTtl>10m</positiveTtl>\n"
            + "  <negativeTtl>soon</negativeTtl>\n"
            + "  <maxEntries>0</maxEntries>\n"
            + "  <staleMaxAge>5m</staleMaxAge>\n"
            + "  <positveTtl>1m</positveTtl>\n"
            + "  <passwordHash>md5</passwordHash>\n"
            + "</cache>", problems);

        CachingVerifier built = CachingVerifier.fromConfig(node, backend);

        assertThat(problems.list()).containsExactlyInAnyOrder(
            "cache.xml:3: cache/negativeTtl: 'soon' is not a duration (e.g. 500ms, 10s, 5m, 1h)",
            "cache.xml:4: cache/maxEntries: '0' is out of range 1..10000000",
            "cache.xml:5: cache/staleMaxAge: 'PT5M' must be 0 (off) or longer than positiveTtl (PT10M)",
            "cache.xml:6: cache/positveTtl: unknown setting (a typo?)",
            "cache.xml:7: cache/passwordHash: 'md5' is not one of [hmac-sha256, pbkdf2-sha256]");
        assertThat(built.settings()).isEqualTo(CacheSettings.defaults());
    }

    @Test
    void settingsShouldRefuseAStaleBoundNotLongerThanThePositiveTtlWhenBuiltInCode() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> CacheSettings.defaults().withStaleMaxAge(Duration.ofMinutes(10)))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("staleMaxAge");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> CacheSettings.defaults().withMaxEntries(0))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxEntries");
    }

    @Test
    void verifyShouldHitAndMissAlikeWhenEntriesAreHashedWithPbkdf2() throws Exception {
        CachingVerifier slow = cacheWith(CacheSettings.defaults().withPbkdf2(200));
        slow.verify(login("alice", ALICE_PW));
        slow.verify(login("alice", ALICE_PW));
        slow.verify(login("alice", ALICE_PW + "x"));
        directory.setPassword("alice", "alice-New-2");
        slow.verify(login("alice", "alice-New-2"));

        assertThat(slow.verify(login("alice", ALICE_PW)).state()).isEqualTo(State.REJECTED);
        assertThat(directory.userBinds()).isEqualTo(4);
        assertThat(slow.stats().hits()).isEqualTo(1);
    }

    @Test
    void aCachedHitShouldTakeWellUnderAMillisecondWhenHashedEitherWay() {
        for (CacheSettings s : List.of(CacheSettings.defaults(), CacheSettings.defaults().withPbkdf2(500))) {
            CachingVerifier c = cacheWith(s);
            c.verify(login("alice", ALICE_PW));
            for (int i = 0; i < 500; i++) {
                c.verify(login("alice", ALICE_PW));
            }
            long[] samples = new long[500];
            for (int i = 0; i < samples.length; i++) {
                long t0 = System.nanoTime();
                c.verify(login("alice", ALICE_PW));
                samples[i] = System.nanoTime() - t0;
            }
            java.util.Arrays.sort(samples);
            // the median on a shared 2-core machine; the benchmark reports p99 under load
            assertThat(Duration.ofNanos(samples[samples.length / 2])).as(s.passwordHash().configName())
                .isLessThan(Duration.ofMillis(1));
        }
        assertThat(directory.userBinds()).isEqualTo(2);
    }

    @Test
    void verifyShouldGiveEveryThreadTheBackendsAnswerWhenRightAndWrongPasswordsRace() throws Exception {
        CachingVerifier shared = new CachingVerifier(CacheSettings.defaults().withMaxEntries(4), backend);
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(8);
        try {
            List<java.util.concurrent.Future<Integer>> wrongAnswers = new java.util.ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int thread = t;
                wrongAnswers.add(pool.submit(() -> {
                    int wrong = 0;
                    for (int i = 0; i < 300; i++) {
                        String user = (i + thread) % 2 == 0 ? "alice" : "bob";
                        boolean right = (i * 7 + thread) % 3 != 0;
                        String pw = right ? (user.equals("alice") ? ALICE_PW : BOB_PW) : "guess-" + (i % 5);
                        Protocol protocol = Protocol.values()[i % 3];
                        State got = shared.verify(LoginAttempt.of(user, Secret.of(pw), protocol)).state();
                        if (got != (right ? State.ACCEPTED : State.REJECTED)) {
                            wrong++;
                        }
                    }
                    return wrong;
                }));
            }
            for (java.util.concurrent.Future<Integer> f : wrongAnswers) {
                assertThat(f.get(60, java.util.concurrent.TimeUnit.SECONDS)).isZero();
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(shared.stats().hits() + shared.stats().misses()).isEqualTo(8 * 300);
        // 6 keys in 4 entries and 5 rotating guesses: eviction and slot replacement run all along
        shared.cleanUp();
        assertThat(shared.stats().hits()).isPositive();
        assertThat(shared.stats().entries()).isLessThanOrEqualTo(4);
    }

    private static ConfigNode parse(String xml, ConfigProblems problems) {
        return ConfigNode.parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)), "cache.xml", problems);
    }

    /** A backend that answers from a script, for the verdicts an in-memory bind cannot give. */
    private static final class Scripted implements CredentialVerifier {
        private final Deque<Function<LoginAttempt, Verdict>> answers;
        final AtomicInteger calls = new AtomicInteger();

        Scripted(Function<LoginAttempt, Verdict> first, Function<LoginAttempt, Verdict> second,
                 Function<LoginAttempt, Verdict> third) {
            this.answers = new ArrayDeque<>(List.of(first, second, third));
        }

        Scripted(Function<LoginAttempt, Verdict> first, Function<LoginAttempt, Verdict> second,
                 Function<LoginAttempt, Verdict> third, Function<LoginAttempt, Verdict> fourth) {
            this.answers = new ArrayDeque<>(List.of(first, second, third, fourth));
        }

        @Override
        public Verdict verify(LoginAttempt attempt) {
            calls.incrementAndGet();
            return answers.removeFirst().apply(attempt);
        }

        @Override
        public String name() {
            return "scripted";
        }
    }
}
