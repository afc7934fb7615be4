package org.jamespack.auth.ldap;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import org.jamespack.auth.LoginAttempt;
import org.jamespack.auth.Protocol;
import org.jamespack.foundation.Secret;
import org.jamespack.auth.Verdict;
import org.jamespack.auth.cache.CacheSettings;
import org.jamespack.auth.cache.CachingVerifier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.unboundid.ldap.listener.interceptor.InMemoryInterceptedSearchRequest;
import com.unboundid.ldap.listener.interceptor.InMemoryOperationInterceptor;
import com.unboundid.ldap.sdk.LDAPException;

/**
 * Rebind mode's login-to-DN cache against UnboundID's in-memory directory: a cached DN is bound
 * with no search, and whatever changed in the directory (moved, renamed, deleted entry, new
 * password) is answered as a fresh search would answer it, never as a wrong password. Directory
 * operations are counted at the server.
 */
class LdapDnCacheTest {

    private static final Duration TTL = Duration.ofSeconds(60);

    private final SearchCounter searches = new SearchCounter();
    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private InMemoryLdap ldap;
    private LdapVerifier verifier;
    private String aliceDn;

    @BeforeEach
    void start() {
        ldap = InMemoryLdap.start(searches);
        aliceDn = ldap.addSshaUser("alice", "alice@example.org", "alice-secret");
        ldap.addSshaUser("bob", "bob@example.org", "bob-secret");
        verifier = verifier(ldap.settings().loginAttributes("uid", "mail").dnCacheTtl(TTL).dnCacheSize(100));
    }

    @AfterEach
    void stop() {
        verifier.close();
        ldap.close();
    }

    private LdapVerifier verifier(LdapSettings.Builder settings) {
        return LdapVerifier.create(settings.build(), now::get);
    }

    private static Verdict login(LdapVerifier v, String login, String password) {
        return v.verify(LoginAttempt.of(login, Secret.of(password), Protocol.IMAP));
    }

    /** Searches and binds the directory received during {@code run}. */
    private long[] operations(Runnable run) {
        long s = searches.count.get();
        long b = ldap.binds();
        run.run();
        return new long[] {searches.count.get() - s, ldap.binds() - b};
    }

    @Test
    void verifyShouldBindTheCachedDnWithoutSearchingWhenTheLoginWasSeen() {
        assertThat(operations(() -> assertThat(login(verifier, "alice", "alice-secret").isAccepted()).isTrue()))
            .containsExactly(1, 1);
        assertThat(operations(() -> assertThat(login(verifier, "alice", "alice-secret").isAccepted()).isTrue()))
            .containsExactly(0, 1);
        assertThat(ldap.bindsTo(aliceDn)).isEqualTo(2);
    }

    @Test
    void verifyShouldRejectAWrongPasswordAfterOneMoreSearchWhenTheDnIsCached() {
        login(verifier, "alice", "alice-secret");
        long[] ops = operations(() -> assertThat(login(verifier, "alice", "wrong").state()).isEqualTo(Verdict.State.REJECTED));
        // the cached DN's bind, then the search that finds the same DN: no second bind
        assertThat(ops).containsExactly(1, 1);
        assertThat(operations(() -> assertThat(login(verifier, "alice", "alice-secret").isAccepted()).isTrue()))
            .containsExactly(0, 1);
    }

    @Test
    void verifyShouldAcceptAMovedEntryWhenItsCachedDnNoLongerExists() throws Exception {
        login(verifier, "alice", "alice-secret");
        ldap.server().add("dn: ou=moved," + InMemoryLdap.BASE_DN, "objectClass: top", "objectClass: organizationalUnit",
            "ou: moved");
        ldap.server().modifyDN(aliceDn, "uid=alice", true, "ou=moved," + InMemoryLdap.BASE_DN);

        long[] ops = operations(() -> assertThat(login(verifier, "alice", "alice-secret").isAccepted()).isTrue());

        assertThat(ops).containsExactly(1, 2);
        assertThat(ldap.bindsTo("uid=alice,ou=moved," + InMemoryLdap.BASE_DN)).isEqualTo(1);
        // the new DN is cached: one bind again
        assertThat(operations(() -> assertThat(login(verifier, "alice", "alice-secret").isAccepted()).isTrue()))
            .containsExactly(0, 1);
    }

    @Test
    void verifyShouldAcceptARenamedEntryWhenTheLoginStillNamesIt() throws LDAPException {
        login(verifier, "alice@example.org", "alice-secret");
        ldap.server().modifyDN(aliceDn, "uid=alice2", true);

        Verdict verdict = login(verifier, "alice@example.org", "alice-secret");

        assertThat(verdict.isAccepted()).isTrue();
        assertThat(ldap.bindsTo("uid=alice2," + InMemoryLdap.PEOPLE_DN)).isEqualTo(1);
    }

    @Test
    void verifyShouldRejectADeletedEntryWithoutAnotherBindWhenItsDnWasCached() throws LDAPException {
        login(verifier, "alice", "alice-secret");
        ldap.server().delete(aliceDn);

        long[] ops = operations(() -> assertThat(login(verifier, "alice", "alice-secret").state())
            .isEqualTo(Verdict.State.REJECTED));

        // the cached DN's bind already cost what an unknown user's dummy bind costs
        assertThat(ops).containsExactly(1, 1);
        assertThat(verifier.dnCacheSize()).isZero();
    }

    @Test
    void verifyShouldFollowAPasswordChangeWhenTheDnIsCached() {
        login(verifier, "alice", "alice-secret");
        ldap.modify(aliceDn, "userPassword", InMemoryLdap.ssha("new-secret"));

        assertThat(login(verifier, "alice", "new-secret").isAccepted()).isTrue();
        assertThat(login(verifier, "alice", "alice-secret").state()).isEqualTo(Verdict.State.REJECTED);
        assertThat(login(verifier, "alice", "new-secret").isAccepted()).isTrue();
    }

    @Test
    void verifyShouldSearchAgainWhenTheTtlHasPassed() {
        login(verifier, "alice", "alice-secret");
        now.addAndGet(TTL.toNanos() - 1);
        assertThat(operations(() -> login(verifier, "alice", "alice-secret"))).containsExactly(0, 1);
        now.addAndGet(1);
        assertThat(operations(() -> login(verifier, "alice", "alice-secret"))).containsExactly(1, 1);
    }

    @Test
    void dnCacheShouldHoldAtMostDnCacheSizeLoginsWhenMoreLogIn() {
        LdapVerifier small = verifier(ldap.settings().dnCacheTtl(TTL).dnCacheSize(1));
        try {
            for (int i = 0; i < 20; i++) {
                ldap.addSshaUser("u" + i, "u" + i + "@example.org", "pw-" + i);
                assertThat(login(small, "u" + i, "pw-" + i).isAccepted()).isTrue();
                assertThat(small.dnCacheSize()).isLessThanOrEqualTo(1);
            }
        } finally {
            small.close();
        }
    }

    @Test
    void forgetShouldDropTheCachedDnByLoginOrByCanonicalUsername() {
        login(verifier, "alice@example.org", "alice-secret");
        login(verifier, "bob", "bob-secret");

        verifier.forget("ALICE"); // alice@example.org's entry has uid alice, the canonical username

        assertThat(operations(() -> login(verifier, "alice@example.org", "alice-secret"))).containsExactly(1, 1);
        assertThat(operations(() -> login(verifier, "bob", "bob-secret"))).containsExactly(0, 1);
    }

    @Test
    void cachingVerifierInvalidationShouldDropTheDnCacheWhenAnOperatorInvalidates() {
        CachingVerifier cache = new CachingVerifier(CacheSettings.defaults(), verifier);
        login(verifier, "alice", "alice-secret");
        login(verifier, "bob", "bob-secret");

        cache.invalidate("alice");
        assertThat(operations(() -> login(verifier, "alice", "alice-secret"))).containsExactly(1, 1);
        assertThat(operations(() -> login(verifier, "bob", "bob-secret"))).containsExactly(0, 1);

        cache.invalidateAll();
        assertThat(verifier.dnCacheSize()).isZero();
    }

    @Test
    void verifyShouldSearchEveryLoginWhenTheDnCacheIsOff() {
        LdapVerifier off = verifier(ldap.settings().dnCacheTtl(Duration.ZERO));
        try {
            login(off, "alice", "alice-secret");
            assertThat(operations(() -> login(off, "alice", "alice-secret"))).containsExactly(1, 1);
            assertThat(off.dnCacheSize()).isZero();
        } finally {
            off.close();
        }
    }

    /** Counts user searches (not the pools' root DSE health checks); thread-safe. */
    static final class SearchCounter extends InMemoryOperationInterceptor {
        final AtomicLong count = new AtomicLong();

        @Override
        public void processSearchRequest(InMemoryInterceptedSearchRequest request) {
            if (!request.getRequest().getBaseDN().isEmpty()) {
                count.incrementAndGet();
            }
        }
    }
}
