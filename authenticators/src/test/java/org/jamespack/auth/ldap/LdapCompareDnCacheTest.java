package org.jamespack.auth.ldap;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

import org.jamespack.auth.LoginAttempt;
import org.jamespack.auth.Protocol;
import org.jamespack.auth.Verdict;
import org.jamespack.foundation.Secret;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.unboundid.ldap.listener.interceptor.InMemoryInterceptedSearchRequest;
import com.unboundid.ldap.listener.interceptor.InMemoryOperationInterceptor;
import com.unboundid.ldap.sdk.SearchScope;

/**
 * Compare mode's use of the login-to-DN cache against UnboundID's in-memory directory: a login seen before is read
 * afresh at its cached DN with a base-scope search (still one operation, and no index or subtree walk for the
 * directory), so the password hash, the account state and the login's match are never older than the login itself;
 * an entry that moved, was deleted or no longer answers for the login is searched for as if never cached. Searches
 * and their scopes are recorded at the server.
 */
class LdapCompareDnCacheTest {

    private final Searches searches = new Searches();
    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private InMemoryLdap ldap;
    private LdapVerifier verifier;
    private String aliceDn;
    private String bobDn;

    @BeforeEach
    void start() {
        ldap = InMemoryLdap.start(searches);
        aliceDn = ldap.addSshaUser("alice", "alice@example.org", "alice-secret");
        bobDn = ldap.addSshaUser("bob", "bob@example.org", "bob-secret");
        verifier = LdapVerifier.create(ldap.settings().mode(LdapSettings.Mode.COMPARE).loginAttributes("uid", "mail")
            .dnCacheTtl(Duration.ofSeconds(60)).build(), now::get);
    }

    @AfterEach
    void stop() {
        verifier.close();
        ldap.close();
    }

    private Verdict login(String login, String password) {
        return verifier.verify(LoginAttempt.of(login, Secret.of(password), Protocol.IMAP));
    }

    /** The searches ({@code scope base-DN}) and binds the directory received during {@code run}. */
    private List<String> searchesDuring(Runnable run) {
        long binds = ldap.binds();
        searches.seen.clear();
        run.run();
        assertThat(ldap.binds() - binds).as("compare mode never binds as the user").isZero();
        return List.copyOf(searches.seen);
    }

    @Test
    void verifyShouldReadTheCachedDnWithOneBaseSearchWhenTheLoginWasSeen() {
        assertThat(searchesDuring(() -> assertThat(login("alice", "alice-secret").isAccepted()).isTrue()))
            .containsExactly("SUB " + InMemoryLdap.BASE_DN);
        assertThat(searchesDuring(() -> assertThat(login("alice", "alice-secret").isAccepted()).isTrue()))
            .containsExactly("BASE " + aliceDn);
        assertThat(searchesDuring(() -> assertThat(login("alice", "wrong").state()).isEqualTo(Verdict.State.REJECTED)))
            .as("the hash was read just now: a wrong password needs no second search").containsExactly("BASE " + aliceDn);
    }

    @Test
    void dnCacheShouldNeverHoldTheStoredPasswordHash() {
        login("alice", "alice-secret");

        assertThat(verifier.dnCacheEntry("alice")).isNotNull();
        assertThat(verifier.dnCacheEntry("alice").getDN()).isEqualTo(aliceDn);
        assertThat(verifier.dnCacheEntry("alice").hasAttribute("userPassword")).isFalse();
    }

    @Test
    void verifyShouldFollowAPasswordChangeAtOnceWhenTheDnIsCached() {
        login("alice", "alice-secret");
        ldap.modify(aliceDn, "userPassword", InMemoryLdap.ssha("new-secret"));

        assertThat(login("alice", "alice-secret").state()).isEqualTo(Verdict.State.REJECTED);
        assertThat(login("alice", "new-secret").isAccepted()).isTrue();
    }

    @Test
    void verifyShouldSeeADisabledAccountAtOnceWhenTheDnIsCached() {
        login("alice", "alice-secret");
        ldap.modify(aliceDn, "accountStatus", "disabled");

        assertThat(login("alice", "alice-secret").state()).isEqualTo(Verdict.State.DISABLED);
    }

    @Test
    void verifyShouldFindAMovedEntryWithOneMoreSearchWhenItsCachedDnIsGone() throws Exception {
        login("alice", "alice-secret");
        ldap.server().add("dn: ou=moved," + InMemoryLdap.BASE_DN, "objectClass: top", "objectClass: organizationalUnit", "ou: moved");
        String moved = "uid=alice,ou=moved," + InMemoryLdap.BASE_DN;
        ldap.server().modifyDN(aliceDn, "uid=alice", true, "ou=moved," + InMemoryLdap.BASE_DN);

        assertThat(searchesDuring(() -> assertThat(login("alice", "alice-secret").isAccepted()).isTrue()))
            .containsExactly("BASE " + aliceDn, "SUB " + InMemoryLdap.BASE_DN);
        assertThat(searchesDuring(() -> assertThat(login("alice", "alice-secret").isAccepted()).isTrue()))
            .containsExactly("BASE " + moved);
    }

    @Test
    void verifyShouldRejectADeletedEntryAndForgetItsDn() throws Exception {
        login("alice", "alice-secret");
        ldap.server().delete(aliceDn);

        assertThat(searchesDuring(() -> assertThat(login("alice", "alice-secret").state()).isEqualTo(Verdict.State.REJECTED)))
            .containsExactly("BASE " + aliceDn, "SUB " + InMemoryLdap.BASE_DN);
        assertThat(verifier.dnCacheSize()).isZero();
    }

    @Test
    void verifyShouldCheckTheEntryTheLoginNamesNowWhenTheCachedOneNoLongerAnswersForIt() {
        assertThat(login("alice@example.org", "alice-secret").isAccepted()).isTrue();
        // the address moves from alice to bob: the cached DN must not answer for it any more
        ldap.modify(aliceDn, "mail", "alice-old@example.org");
        ldap.modify(bobDn, "mail", "bob@example.org", "alice@example.org");

        assertThat(login("alice@example.org", "alice-secret").state()).isEqualTo(Verdict.State.REJECTED);
        assertThat(searchesDuring(() -> assertThat(login("alice@example.org", "bob-secret").isAccepted()).isTrue()))
            .containsExactly("BASE " + bobDn);
    }

    /** Records user searches as "SCOPE base" (not the pools' root DSE health checks); thread-safe. */
    static final class Searches extends InMemoryOperationInterceptor {
        final List<String> seen = new CopyOnWriteArrayList<>();

        @Override
        public void processSearchRequest(InMemoryInterceptedSearchRequest request) {
            if (!request.getRequest().getBaseDN().isEmpty()) {
                SearchScope scope = request.getRequest().getScope();
                seen.add((scope == SearchScope.BASE ? "BASE" : scope == SearchScope.SUB ? "SUB" : scope.getName()) + " "
                    + request.getRequest().getBaseDN());
            }
        }
    }
}
