package org.jamespack.auth.ldap;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import org.jamespack.auth.LoginAttempt;
import org.jamespack.auth.Protocol;
import org.jamespack.auth.Verdict;
import org.jamespack.auth.cache.CacheSettings;
import org.jamespack.auth.cache.CachingVerifier;
import org.jamespack.foundation.Secret;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import com.unboundid.ldap.listener.interceptor.InMemoryInterceptedCompareRequest;
import com.unboundid.ldap.listener.interceptor.InMemoryInterceptedSearchRequest;
import com.unboundid.ldap.listener.interceptor.InMemoryOperationInterceptor;

/**
 * qmail-ldap clustering against UnboundID's in-memory directory with qmail-ldap's schema: a
 * right password whose entry's {@code mailHost} names another server is ACCEPTED naming that
 * host, in every mode, read in the directory operation the login makes anyway; off until
 * {@code localHosts} is set. Directory operations are counted at the server.
 */
class LdapMailHostTest {

    private static final String PW = "dave-secret";
    private static final String HERE = "mail1.example.org";
    private static final String THERE = "mail2.example.org";

    private final Operations operations = new Operations();
    private InMemoryLdap ldap;
    private String daveDn;
    private final List<AutoCloseable> opened = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() {
        ldap = InMemoryLdap.start(operations);
        // cleartext values: every mode, compare-operation included, can check them
        daveDn = ldap.addUser("dave", "dave@example.org", PW);
        ldap.modify(daveDn, "mailHost", THERE);
        ldap.modify(ldap.addUser("alice", "alice@example.org", PW), "mailHost", HERE);
        ldap.modify(ldap.addUser("erin", "erin@example.org", PW), "mailHost", "MAIL1.Example.ORG.");
        ldap.addUser("bob", "bob@example.org", PW);
        ldap.modify(ldap.addUser("carol", "carol@example.org", PW, Optional.of("disabled")), "mailHost", THERE);
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : opened) {
            c.close();
        }
        ldap.close();
    }

    private LdapVerifier verifier(LdapSettings.Builder settings) {
        LdapVerifier v = LdapVerifier.create(settings.build());
        opened.add(v);
        return v;
    }

    private static Verdict login(org.jamespack.auth.CredentialVerifier v, String login, String password) {
        return v.verify(LoginAttempt.of(login, Secret.of(password), Protocol.IMAP));
    }

    static Stream<Arguments> modes() {
        return Stream.of(
            Arguments.of("rebind with a search", (java.util.function.UnaryOperator<LdapSettings.Builder>) b -> b),
            Arguments.of("rebind with dnTemplate", (java.util.function.UnaryOperator<LdapSettings.Builder>) b ->
                b.dnTemplate("uid={login}," + InMemoryLdap.PEOPLE_DN)),
            Arguments.of("compare", (java.util.function.UnaryOperator<LdapSettings.Builder>) b ->
                b.mode(LdapSettings.Mode.COMPARE)),
            Arguments.of("compare-operation", (java.util.function.UnaryOperator<LdapSettings.Builder>) b ->
                b.mode(LdapSettings.Mode.COMPARE_OPERATION)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("modes")
    void verifyShouldNameTheOtherHostWhenTheMailboxIsElsewhere(String mode, java.util.function.UnaryOperator<LdapSettings.Builder> m) {
        LdapVerifier v = verifier(m.apply(ldap.settings().localHosts(HERE, "mx1.example.org")));

        Verdict dave = login(v, "dave", PW);
        assertThat(dave.state()).isEqualTo(Verdict.State.ACCEPTED);
        assertThat(dave.mailHost()).contains(THERE);
        // here: the host is one of this server's names (case and a trailing dot aside), or there is none
        for (String local : List.of("alice", "erin", "bob")) {
            Verdict v2 = login(v, local, PW);
            assertThat(v2.state()).as(local).isEqualTo(Verdict.State.ACCEPTED);
            assertThat(v2.mailHost()).as(local).isEmpty();
        }
        // a wrong password tells nothing about where the mailbox is
        Verdict wrong = login(v, "dave", "wrong");
        assertThat(wrong.state()).isEqualTo(Verdict.State.REJECTED);
        assertThat(wrong.mailHost()).isEmpty();
        assertThat(wrong.toString()).doesNotContain(THERE);
        // the account state comes first: a disabled account is not sent anywhere
        assertThat(login(v, "carol", PW).reason()).isEqualTo(Verdict.Reason.ACCOUNT_DISABLED);
    }

    @Test
    void verifyShouldNeitherReadNorNameTheHostWhenLocalHostsAreNotSet() {
        LdapVerifier v = verifier(ldap.settings());

        Verdict dave = login(v, "dave", PW);

        assertThat(dave).isEqualTo(Verdict.accepted());
        assertThat(operations.requested).isNotEmpty().noneMatch(attrs -> attrs.stream().anyMatch("mailHost"::equalsIgnoreCase));
    }

    @Test
    void verifyShouldReadTheHostInTheSameSearchWhenLocalHostsAreSet() {
        LdapVerifier off = verifier(ldap.settings().dnCacheTtl(Duration.ZERO));
        LdapVerifier on = verifier(ldap.settings().dnCacheTtl(Duration.ZERO).localHosts(HERE));
        login(off, "bob", PW);
        login(on, "bob", PW);

        long[] without = count(() -> login(off, "dave", PW));
        long[] with = count(() -> assertThat(login(on, "dave", PW).mailHost()).contains(THERE));

        // one search and one bind either way: the attribute rides on the login's own search
        assertThat(with).containsExactly(without).containsExactly(1, 1, 0);
        assertThat(operations.requested.get(operations.requested.size() - 1)).contains("mailHost");
    }

    @Test
    void verifyShouldNameTheHostWithoutSearchingWhenTheDnIsCached() {
        LdapVerifier v = verifier(ldap.settings().localHosts(HERE));
        assertThat(login(v, "dave", PW).mailHost()).contains(THERE);

        long[] cached = count(() -> assertThat(login(v, "dave", PW).mailHost()).contains(THERE));

        assertThat(cached).containsExactly(0, 1, 0);
    }

    @Test
    void verifyShouldReadTheConfiguredAttributeWhenMailHostAttributeIsSet() {
        ldap.modify(daveDn, "description", "mail3.example.org");
        LdapVerifier v = verifier(ldap.settings().localHosts(HERE).mailHostAttribute("description"));

        assertThat(login(v, "dave", PW).mailHost()).contains("mail3.example.org");
        assertThat(login(v, "alice", PW).mailHost()).isEmpty();
    }

    @Test
    void verifyShouldBeUnavailableWhenTheEntryDoesNotNameOneHost() {
        LdapVerifier byDescription = verifier(ldap.settings().localHosts(HERE).mailHostAttribute("description"));
        ldap.modify(daveDn, "description", THERE, "mail3.example.org");

        Verdict two = login(byDescription, "dave", PW);

        assertThat(two.state()).isEqualTo(Verdict.State.UNAVAILABLE);
        assertThat(two.reason()).isEqualTo(Verdict.Reason.PROTOCOL_ERROR);
        assertThat(two.detail()).contains("2 values");

        ldap.modify(daveDn, "mailHost", "mail2.example.org:143");
        Verdict notAHost = login(verifier(ldap.settings().localHosts(HERE).dnCacheTtl(Duration.ZERO)), "dave", PW);
        assertThat(notAHost.reason()).isEqualTo(Verdict.Reason.PROTOCOL_ERROR);
        assertThat(notAHost.detail()).contains("'mail2.example.org:143' is not a host name");
        // a wrong password stays a wrong password
        assertThat(login(byDescription, "dave", "wrong").state()).isEqualTo(Verdict.State.REJECTED);
    }

    @Test
    void ruleShouldBeUnavailableWhenTheEntryCouldNotBeRead() {
        // a templated bind succeeded, but the search account could not read the entry (an ACL):
        // where the mailbox lives is unknown, and an empty one here must not stand in for it
        MailHostRule on = new MailHostRule(ldap.settings().localHosts(HERE).build());
        MailHostRule off = new MailHostRule(ldap.settings().build());

        Verdict unknown = on.apply(Verdict.accepted(), null, daveDn);

        assertThat(unknown.state()).isEqualTo(Verdict.State.UNAVAILABLE);
        assertThat(unknown.reason()).isEqualTo(Verdict.Reason.SERVER_ERROR);
        assertThat(unknown.detail()).contains(daveDn, "mailHost");
        assertThat(off.apply(Verdict.accepted(), null, daveDn)).isEqualTo(Verdict.accepted());
    }

    @Test
    void cachedVerdictsShouldNameTheHostWhenServedFreshOrStale() throws Exception {
        LdapVerifier ldapVerifier = verifier(ldap.settings().localHosts(HERE));
        CachingVerifier fresh = new CachingVerifier(CacheSettings.defaults(), ldapVerifier);
        assertThat(login(fresh, "dave", PW).mailHost()).contains(THERE);
        long binds = ldap.binds();

        assertThat(login(fresh, "dave", PW).mailHost()).contains(THERE);
        assertThat(ldap.binds()).as("a cache hit").isEqualTo(binds);

        CachingVerifier stale = new CachingVerifier(CacheSettings.defaults().withPositiveTtl(Duration.ofMillis(1))
            .withStaleMaxAge(Duration.ofHours(1)), ldapVerifier);
        assertThat(login(stale, "dave", PW).mailHost()).contains(THERE);
        Thread.sleep(5);
        ldap.pause();
        Verdict served = login(stale, "dave", PW);
        assertThat(served.detail()).contains("stale cache");
        assertThat(served.mailHost()).contains(THERE);
    }

    /** Searches, binds and compares the directory received during {@code run}. */
    private long[] count(Runnable run) {
        long s = operations.searches.get();
        long b = ldap.binds();
        long c = operations.compares.get();
        run.run();
        return new long[] {operations.searches.get() - s, ldap.binds() - b, operations.compares.get() - c};
    }

    /** Counts user searches (not the pool's root DSE checks) and compares; records the attributes asked for. */
    static final class Operations extends InMemoryOperationInterceptor {
        final AtomicLong searches = new AtomicLong();
        final AtomicLong compares = new AtomicLong();
        final List<List<String>> requested = new CopyOnWriteArrayList<>();

        @Override
        public void processSearchRequest(InMemoryInterceptedSearchRequest request) {
            if (!request.getRequest().getBaseDN().isEmpty()) {
                searches.incrementAndGet();
                requested.add(List.copyOf(request.getRequest().getAttributeList()));
            }
        }

        @Override
        public void processCompareRequest(InMemoryInterceptedCompareRequest request) {
            compares.incrementAndGet();
        }
    }
}
