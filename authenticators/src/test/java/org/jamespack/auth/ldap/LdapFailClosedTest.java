package org.jamespack.auth.ldap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.jamespack.auth.LoginAttempt;
import org.jamespack.auth.Protocol;
import org.jamespack.foundation.Secret;
import org.jamespack.auth.Verdict;
import org.jamespack.foundation.config.ConfigNode;
import org.jamespack.foundation.config.ConfigProblems;
import org.jamespack.auth.BackendUnavailableException;
import org.jamespack.auth.hash.HashLimits;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.LoggerFactory;

import com.unboundid.ldap.listener.interceptor.InMemoryInterceptedCompareRequest;
import com.unboundid.ldap.listener.interceptor.InMemoryInterceptedSimpleBindRequest;
import com.unboundid.ldap.listener.interceptor.InMemoryOperationInterceptor;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;

/**
 * The LDAP verifier's fail-closed rules against UnboundID's in-memory directory: dnTemplate
 * honours objectClass and filter, search continuation references are UNAVAILABLE, stored-hash
 * cost caps and a configured dummy cost, and a user bind that times out is tried once (slapd
 * proves the same in {@link SlapdLdapTest}).
 */
class LdapFailClosedTest {

    static final String PASSWORD = "alice-secret";

    final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    InMemoryLdap ldap(InMemoryOperationInterceptor... extra) {
        InMemoryLdap ldap = InMemoryLdap.start(extra);
        open.add(ldap);
        return ldap;
    }

    LdapVerifier verifier(LdapSettings.Builder builder) {
        LdapVerifier v = LdapVerifier.create(builder.build());
        open.add(v);
        return v;
    }

    static Verdict verify(LdapVerifier v, String login, String password) {
        return v.verify(LoginAttempt.of(login, Secret.of(password), Protocol.IMAP));
    }

    // dnTemplate and objectClass / filter

    @Test
    void dnTemplateShouldRejectARightPasswordWhenTheEntryIsOutsideTheFilterOrObjectClass() {
        InMemoryLdap ldap = ldap();
        String alice = ldap.addSshaUser("alice", "alice@example.org", PASSWORD);
        ldap.modify(alice, "description", "mx1");
        ldap.addSshaUser("bob", "bob@example.org", PASSWORD);
        String template = "uid={login}," + InMemoryLdap.PEOPLE_DN;

        LdapVerifier byFilter = verifier(ldap.settings().dnTemplate(template).filter("(description=mx1)"));
        LdapVerifier byClass = verifier(ldap.settings().dnTemplate(template).objectClass("posixAccount"));
        LdapVerifier both = verifier(ldap.settings().dnTemplate(template).objectClass("qmailUser").filter("(description=mx1)"));

        assertThat(verify(byFilter, "alice", PASSWORD).state()).isEqualTo(Verdict.State.ACCEPTED);
        // before the fix: bob bound with his right password and was ACCEPTED although the filter excludes him
        Verdict bob = verify(byFilter, "bob", PASSWORD);
        assertThat(bob.state()).isEqualTo(Verdict.State.REJECTED);
        assertThat(bob.detail()).contains("does not match").contains("filter (description=mx1)");
        assertThat(verify(byClass, "alice", PASSWORD).state()).isEqualTo(Verdict.State.REJECTED);
        assertThat(verify(both, "alice", PASSWORD).state()).isEqualTo(Verdict.State.ACCEPTED);
        assertThat(verify(both, "bob", PASSWORD).state()).isEqualTo(Verdict.State.REJECTED);
        // a wrong password is still the bind's answer, nothing else
        assertThat(verify(byFilter, "alice", "wrong").state()).isEqualTo(Verdict.State.REJECTED);
    }

    @Test
    void dnTemplateLookupShouldNotFindAnEntryOutsideTheFilterWithoutAServiceAccount() throws Exception {
        InMemoryLdap ldap = ldap();
        String alice = ldap.addSshaUser("alice", "alice@example.org", PASSWORD);
        ldap.modify(alice, "description", "mx1");
        ldap.addSshaUser("bob", "bob@example.org", PASSWORD);
        // no bindDn: lookup reads the templated entry itself instead of searching
        LdapVerifier v = verifier(LdapSettings.builder().url(ldap.url()).baseDn(InMemoryLdap.BASE_DN)
            .dnTemplate("uid={login}," + InMemoryLdap.PEOPLE_DN).filter("(description=mx1)")
            .responseTimeout(Duration.ofSeconds(2)));

        assertThat(v.lookup("alice")).contains("alice");
        assertThat(v.lookup("bob")).isEmpty();
        assertThat(verify(v, "bob", PASSWORD).state()).isEqualTo(Verdict.State.REJECTED);
        assertThat(verify(v, "alice", PASSWORD).state()).isEqualTo(Verdict.State.ACCEPTED);
    }

    // search continuation references

    @Test
    void aSearchThatReturnsAContinuationReferenceShouldBeUnavailableAndSayWhy() throws Exception {
        InMemoryLdap ldap = ldap();
        ldap.addSshaUser("alice", "alice@example.org", PASSWORD);
        ldap.server().add("dn: ou=elsewhere," + InMemoryLdap.BASE_DN, "objectClass: top", "objectClass: referral",
            "objectClass: extensibleObject", "ou: elsewhere", "ref: ldap://ldap2.example.org/ou=elsewhere,dc=example,dc=org");
        // cn, not uid: the in-memory server answers an indexed attribute from its index and skips referral
        // entries then; a real directory returns the reference whatever the filter (SlapdFailClosedTest)
        LdapVerifier v = verifier(ldap.settings().loginAttributes("cn"));
        LdapVerifier compare = verifier(ldap.settings().loginAttributes("cn").mode(LdapSettings.Mode.COMPARE));

        for (LdapVerifier verifier : List.of(v, compare)) {
            for (String login : List.of("ghost", "alice")) {
                Verdict verdict = verify(verifier, login, PASSWORD);
                assertThat(verdict.state()).as(login).isEqualTo(Verdict.State.UNAVAILABLE);
                assertThat(verdict.detail()).contains("continuation reference").contains("ldap://ldap2.example.org")
                    .contains("not followed");
            }
        }
        assertThatThrownBy(() -> v.lookup("ghost")).isInstanceOf(BackendUnavailableException.class)
            .hasMessageContaining("referrals are not followed");
        // an unknown login spent no dummy bind: the directory was not asked about a password at all
        assertThat(ldap.bindsTo("cn=jamespack-no-such-user-5b0f," + InMemoryLdap.BASE_DN)).isZero();
    }

    // stored-hash cost caps and the dummy cost

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void compareShouldRejectAStoredValueOverTheCapsWithoutComputingItAndWarnNamingTheEntryNotTheHash() {
        InMemoryLdap ldap = ldap();
        String hostile = "{CRYPT}$2b$31$y5DDZg3R7fX/Uk65BwDIQewQkvXbLYweZwtj5kJWtxiPsV3DoL4wa";
        String dn = ldap.addUser("mallory", "mallory@example.org", hostile);
        ldap.addUser("argon", "argon@example.org",
            "{ARGON2}$argon2id$v=19$m=1048576,t=1000,p=1$S4ruFA0wpEdTRZS/cTaHNQ$/zexEDqwvYHzanoNRsz5WzPLbHCW556S2kB8Z/+foTA");
        LdapVerifier v = verifier(ldap.settings().mode(LdapSettings.Mode.COMPARE));
        ListAppender<ILoggingEvent> logs = capture();
        try {
            Verdict verdict = verify(v, "mallory", "secret-pw");
            Verdict argon = verify(v, "argon", "secret-pw");

            assertThat(verdict.state()).isEqualTo(Verdict.State.REJECTED);
            assertThat(verdict.reason()).isEqualTo(Verdict.Reason.UNSUPPORTED_SCHEME);
            assertThat(verdict.detail()).contains("cost 31 over maxBcryptCost 12").doesNotContain("y5DDZg3R");
            assertThat(argon.state()).isEqualTo(Verdict.State.REJECTED);
            assertThat(argon.detail()).contains("m=1048576 over maxArgon2Memory 65536");
            assertThat(logs.list).anySatisfy(e -> assertThat(e.getFormattedMessage()).contains(dn)
                .contains("over the cost caps").contains("refused without computing it"));
            assertThat(logs.list).allSatisfy(e -> assertThat(e.getFormattedMessage()).doesNotContain("y5DDZg3R")
                .doesNotContain("S4ruFA0wpEdTRZS"));
        } finally {
            release();
        }
    }

    @Test
    void compareShouldApplyTheConfiguredCapsNotTheDefaults() {
        InMemoryLdap ldap = ldap();
        // 6 000 rounds is far within the default cap; an operator's stricter cap refuses it
        ldap.addUser("c1", "c1@example.org", "{CRYPT}$6$rounds=6000$xDXO6NVyRZw4f8TD$x");
        LdapVerifier strict = verifier(ldap.settings().mode(LdapSettings.Mode.COMPARE)
            .hashLimits(new HashLimits(4, 5_000, 1_000, 64, 1024, 1, 1)));
        assertThat(verify(strict, "c1", "secret-pw").detail()).contains("rounds 6000 over maxShaCryptRounds 5000");
    }

    @Test
    void fromConfigShouldReadTheCapsAndRefuseADummyHashOverThemOrUnverifiable() {
        ConfigProblems problems = new ConfigProblems();
        LdapSettings s = LdapSettings.from(ConfigNode.of("usersrepository.xml", "ldap", map(
            "url", "ldap://127.0.0.1:389", "baseDn", "dc=example,dc=org", "mode", "compare",
            "maxBcryptCost", "10", "maxShaCryptRounds", "100000", "maxPbkdf2Iterations", "50000", "maxPbkdf2Length", "64",
            "maxArgon2Memory", "19456", "maxArgon2Iterations", "2", "maxArgon2Parallelism", "1",
            "dummyHash", "{CRYPT}$2b$10$y5DDZg3R7fX/Uk65BwDIQewQkvXbLYweZwtj5kJWtxiPsV3DoL4wa"), problems)).orElseThrow();

        assertThat(problems.list()).isEmpty();
        assertThat(s.hashLimits()).isEqualTo(new HashLimits(10, 100_000, 50_000, 64, 19_456, 2, 1));
        assertThat(s.dummyHash()).startsWith("{CRYPT}$2b$10$");

        ConfigProblems bad = new ConfigProblems();
        LdapSettings.from(ConfigNode.of("usersrepository.xml", "ldap", map(
            "url", "ldap://127.0.0.1:389", "baseDn", "dc=example,dc=org", "mode", "compare",
            "dummyHash", "{CRYPT}$2b$13$y5DDZg3R7fX/Uk65BwDIQewQkvXbLYweZwtj5kJWtxiPsV3DoL4wa"), bad));
        ConfigProblems unverifiable = new ConfigProblems();
        LdapSettings.from(ConfigNode.of("usersrepository.xml", "ldap", map(
            "url", "ldap://127.0.0.1:389", "baseDn", "dc=example,dc=org", "dummyHash", "{CRYPT}$y$j9T$abc$def"), unverifiable));

        assertThat(bad.list()).singleElement().satisfies(p -> assertThat(p).contains("dummyHash")
            .contains("cost 13 over maxBcryptCost 12"));
        assertThat(unverifiable.list()).singleElement().satisfies(p -> assertThat(p).contains("dummyHash")
            .contains("cannot be verified"));
    }

    // a user bind that times out is tried once

    @Test
    void aUserBindThatTimesOutShouldBeTriedOnceAndAnswerUnavailable() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger slowBinds = new AtomicInteger();
        InMemoryOperationInterceptor stall = new InMemoryOperationInterceptor() {
            @Override
            public void processSimpleBindRequest(InMemoryInterceptedSimpleBindRequest request) {
                if (request.getRequest().getBindDN().startsWith("uid=slow,")) {
                    slowBinds.incrementAndGet();
                    try {
                        // held as a directory busy with a costly hash would hold it; released by the test
                        release.await(30, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            }
        };
        InMemoryLdap ldap = ldap(stall);
        ldap.addSshaUser("slow", "slow@example.org", PASSWORD);
        try {
            LdapVerifier v = verifier(ldap.settings().responseTimeout(Duration.ofSeconds(1)));
            Verdict verdict = verify(v, "slow", PASSWORD);

            assertThat(verdict.state()).isEqualTo(Verdict.State.UNAVAILABLE);
            assertThat(verdict.reason()).isEqualTo(Verdict.Reason.TIMEOUT);
            assertThat(slowBinds).hasValue(1);
        } finally {
            release.countDown();
        }
    }

    @Test
    void aCompareShouldBeSentOnceWhenItTimesOutAndRetriedWhenItsConnectionBroke() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger slowCompares = new AtomicInteger();
        InMemoryOperationInterceptor stall = new InMemoryOperationInterceptor() {
            @Override
            public void processCompareRequest(InMemoryInterceptedCompareRequest request) {
                if (request.getRequest().getDN().startsWith("uid=slow,")) {
                    slowCompares.incrementAndGet();
                    try {
                        release.await(30, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            }
        };
        InMemoryLdap ldap = ldap(stall);
        ldap.addUser("slow", "slow@example.org", PASSWORD);
        ldap.addUser("quick", "quick@example.org", PASSWORD);
        try {
            LdapVerifier v = verifier(ldap.settings().mode(LdapSettings.Mode.COMPARE_OPERATION)
                .responseTimeout(Duration.ofSeconds(1)));
            assertThat(verify(v, "quick", PASSWORD).state()).isEqualTo(Verdict.State.ACCEPTED);

            Verdict verdict = verify(v, "slow", PASSWORD);

            assertThat(verdict.state()).isEqualTo(Verdict.State.UNAVAILABLE);
            assertThat(verdict.reason()).isEqualTo(Verdict.Reason.TIMEOUT);
            assertThat(slowCompares).hasValue(1);
            release.countDown();
            // connections the directory dropped while it was away are replaced, once, as before
            ldap.pause();
            ldap.resume();
            assertThat(verify(v, "quick", PASSWORD).state()).isEqualTo(Verdict.State.ACCEPTED);
        } finally {
            release.countDown();
        }
    }

    private static java.util.Map<String, String> map(String... keysAndValues) {
        java.util.Map<String, String> m = new java.util.LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            m.put(keysAndValues[i], keysAndValues[i + 1]);
        }
        return m;
    }

    private ListAppender<ILoggingEvent> appender;

    private ListAppender<ILoggingEvent> capture() {
        appender = new ListAppender<>();
        appender.start();
        ((Logger) LoggerFactory.getLogger(LdapVerifier.class)).addAppender(appender);
        return appender;
    }

    private void release() {
        ((Logger) LoggerFactory.getLogger(LdapVerifier.class)).detachAppender(appender);
    }
}
