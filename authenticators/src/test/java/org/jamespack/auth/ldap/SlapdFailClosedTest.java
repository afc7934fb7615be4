package org.jamespack.auth.ldap;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.jamespack.auth.LoginAttempt;
import org.jamespack.auth.Protocol;
import org.jamespack.foundation.Secret;
import org.jamespack.auth.Verdict;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.unboundid.ldap.sdk.LDAPConnection;

/**
 * The LDAP verifier's fail-closed rules against OpenLDAP slapd (the second tier, skipped where
 * slapd is missing unless {@code -Djamespack.slapd.required=true}): in rebind mode slapd computes
 * the stored hash, so a {@code $2b$31$} value (days of CPU) makes the user bind time out; it must
 * be sent once, not twice. And slapd's search continuation references make a login UNAVAILABLE.
 */
class SlapdFailClosedTest {

    private static final String PW = "secret-pw";
    /** bcrypt at cost 31 (2^31 rounds): slapd's libxcrypt would work on it for days. */
    private static final String COST_31 = "{CRYPT}$2b$31$y5DDZg3R7fX/Uk65BwDIQewQkvXbLYweZwtj5kJWtxiPsV3DoL4wa";
    private static final Pattern SLOW_BIND = Pattern.compile("BIND dn=\"uid=slow,ou=people,dc=example,dc=org\"");

    @BeforeAll
    static void needsSlapd() {
        SlapdServer.assumeInstalled();
    }

    private static Verdict verify(LdapVerifier v, String login) {
        return v.verify(LoginAttempt.of(login, Secret.of(PW), Protocol.SMTP));
    }

    @Test
    void aRebindThatTimesOutOnACostlyStoredHashShouldBeSentOnceAndAnswerUnavailable() throws Exception {
        try (SlapdServer slapd = SlapdServer.builder().statsLog().user("slow", "slow@example.org", COST_31)
                 .user("quick", "quick@example.org", PW).start();
             LdapVerifier v = LdapVerifier.create(slapd.settings().responseTimeout(Duration.ofSeconds(2)).build())) {
            long start = System.nanoTime();
            Verdict verdict = verify(v, "slow");
            long millis = (System.nanoTime() - start) / 1_000_000;

            assertThat(verdict.state()).isEqualTo(Verdict.State.UNAVAILABLE);
            assertThat(verdict.reason()).isEqualTo(Verdict.Reason.TIMEOUT);
            // slapd logs each BIND as it reads it; verify() returned, so every bind it sent is in the log
            Matcher binds = SLOW_BIND.matcher(slapd.log());
            int count = 0;
            while (binds.find()) {
                count++;
            }
            assertThat(count).as("binds of uid=slow seen by slapd (answered after %d ms)", millis).isEqualTo(1);
            // the directory still serves everybody else
            assertThat(verify(v, "quick").state()).isEqualTo(Verdict.State.ACCEPTED);
        }
    }

    @Test
    void aSearchContinuationReferenceFromSlapdShouldMakeTheLoginUnavailable() throws Exception {
        try (SlapdServer slapd = SlapdServer.builder().user("alice", "alice@example.org", PW).start();
             LDAPConnection root = slapd.rootConnection()) {
            root.add("dn: ou=elsewhere," + SlapdServer.BASE_DN, "objectClass: referral", "objectClass: extensibleObject",
                "ou: elsewhere", "ref: ldap://ldap2.example.org/ou=elsewhere,dc=example,dc=org");
            try (LdapVerifier rebind = LdapVerifier.create(slapd.settings().build());
                 LdapVerifier compare = LdapVerifier.create(slapd.settings().mode(LdapSettings.Mode.COMPARE).build())) {
                for (LdapVerifier v : new LdapVerifier[] {rebind, compare}) {
                    for (String login : new String[] {"ghost", "alice"}) {
                        Verdict verdict = verify(v, login);
                        assertThat(verdict.state()).as(login).isEqualTo(Verdict.State.UNAVAILABLE);
                        assertThat(verdict.detail()).as(login).contains("ldap://ldap2.example.org").contains("not followed");
                    }
                }
            }
        }
    }
}
