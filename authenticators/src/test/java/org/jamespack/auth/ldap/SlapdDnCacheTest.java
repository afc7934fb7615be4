package org.jamespack.auth.ldap;

import static org.assertj.core.api.Assertions.assertThat;

import org.jamespack.auth.LoginAttempt;
import org.jamespack.auth.Protocol;
import org.jamespack.foundation.Secret;
import org.jamespack.auth.Verdict;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.unboundid.ldap.sdk.LDAPConnection;

/**
 * The login-to-DN cache against OpenLDAP slapd, which answers a bind to a DN that no longer
 * exists with invalidCredentials (49), not noSuchObject: the cache must still search once more
 * and bind the entry where it now lives. Skipped with a printed reason where slapd is not installed.
 */
class SlapdDnCacheTest {

    private static final String PW = "secret-pw";
    private static final String SSHA = "{SSHA}/xtLoG3omStZWzfj+Ggq4U3sECrn8RcS";

    @BeforeAll
    static void needsSlapd() {
        SlapdServer.assumeInstalled();
    }

    private static Verdict verify(LdapVerifier v, String login, String password) {
        return v.verify(LoginAttempt.of(login, Secret.of(password), Protocol.IMAP));
    }

    @Test
    void verifyShouldAcceptAMovedEntryAndRejectADeletedOneWhenTheirDnsWereCached() throws Exception {
        try (SlapdServer slapd = SlapdServer.builder().user("alice", "alice@example.org", SSHA)
                 .user("bob", "bob@example.org", SSHA).start();
             LdapVerifier verifier = LdapVerifier.create(slapd.settings().build());
             LDAPConnection root = slapd.rootConnection()) {
            assertThat(verify(verifier, "alice", PW).isAccepted()).isTrue();
            assertThat(verify(verifier, "bob", PW).isAccepted()).isTrue();
            assertThat(verifier.dnCacheSize()).isEqualTo(2);

            root.add("dn: ou=moved," + SlapdServer.BASE_DN, "objectClass: organizationalUnit", "ou: moved");
            root.modifyDN("uid=alice," + SlapdServer.PEOPLE_DN, "uid=alice", true, "ou=moved," + SlapdServer.BASE_DN);
            root.delete("uid=bob," + SlapdServer.PEOPLE_DN);

            assertThat(verify(verifier, "alice", PW).isAccepted()).isTrue();
            assertThat(verify(verifier, "alice", "wrong").state()).isEqualTo(Verdict.State.REJECTED);
            assertThat(verify(verifier, "bob", PW).state()).isEqualTo(Verdict.State.REJECTED);
            assertThat(verifier.dnCacheSize()).isEqualTo(1);
        }
    }
}
