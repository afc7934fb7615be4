package org.jamespack.auth.ldap;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.commons.codec.digest.Crypt;
import org.jamespack.auth.LoginAttempt;
import org.jamespack.auth.Protocol;
import org.jamespack.auth.Verdict;
import org.jamespack.foundation.Secret;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * qmail-ldap clustering against OpenLDAP slapd with the qmail-ldap schema ({@code qmailUser},
 * {@code mailHost}, {@code accountStatus}) and passwords as slapd stores them: the host is read
 * in rebind and compare mode alike, compared with {@code localHosts} ignoring case. Skipped with a
 * printed reason where slapd is not installed.
 */
class SlapdMailHostTest {

    private static final String PW = "dave-secret";

    @BeforeAll
    static void needsSlapd() {
        SlapdServer.assumeInstalled();
    }

    private static Verdict login(LdapVerifier v, String login, String password, Protocol protocol) {
        return v.verify(LoginAttempt.of(login, Secret.of(password), protocol));
    }

    @Test
    void verifyShouldNameTheOtherHostInRebindAndCompareModeWhenSlapdHoldsQmailEntries() throws Exception {
        String stored = "{CRYPT}" + Crypt.crypt(PW, "$6$saltsaltsaltsalt");
        try (SlapdServer slapd = SlapdServer.builder()
                .user("dave", "dave@example.org", stored, null, "mail2.example.org")
                .user("alice", "alice@example.org", stored, "active", "Mail1.Example.org")
                .user("bob", "bob@example.org", stored)
                .user("nopop", "nopop@example.org", stored, "nopop", "mail2.example.org")
                .start();
             LdapVerifier rebind = LdapVerifier.create(slapd.settings().objectClass("qmailUser")
                 .localHosts("mail1.example.org").build());
             LdapVerifier compare = LdapVerifier.create(slapd.settings().objectClass("qmailUser")
                 .mode(LdapSettings.Mode.COMPARE).localHosts("mail1.example.org").build());
             LdapVerifier off = LdapVerifier.create(slapd.settings().build())) {
            for (LdapVerifier v : new LdapVerifier[] {rebind, compare}) {
                String mode = v.settings().mode().configName();
                assertThat(login(v, "dave", PW, Protocol.IMAP).mailHost()).as(mode).contains("mail2.example.org");
                assertThat(login(v, "dave", PW, Protocol.SMTP).state()).as(mode).isEqualTo(Verdict.State.ACCEPTED);
                assertThat(login(v, "alice", PW, Protocol.IMAP)).as(mode).isEqualTo(Verdict.accepted());
                assertThat(login(v, "bob", PW, Protocol.IMAP)).as(mode).isEqualTo(Verdict.accepted());
                assertThat(login(v, "dave", "wrong", Protocol.IMAP).state()).as(mode).isEqualTo(Verdict.State.REJECTED);
                // accountStatus nopop refuses POP3 before the mail host is looked at
                assertThat(login(v, "nopop", PW, Protocol.POP3).reason()).as(mode).isEqualTo(Verdict.Reason.FEATURE_DISABLED);
                assertThat(login(v, "nopop", PW, Protocol.IMAP).mailHost()).as(mode).contains("mail2.example.org");
            }
            // without localHosts the pack does not know its own names, and clustering stays off
            assertThat(login(off, "dave", PW, Protocol.IMAP)).isEqualTo(Verdict.accepted());
        }
    }
}
