package org.jamespack.it.ldap;

import static org.assertj.core.api.Assertions.assertThat;

import org.jamespack.auth.ldap.InMemoryLdap;
import org.jamespack.it.clients.ImapClient;
import org.jamespack.it.clients.SmtpClient;
import org.jamespack.it.james.PackJamesExtension;
import org.jamespack.it.james.PackXml;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code imapMailHostAnswer="no"} through a real James 3.8.1: for clients that misread RFC 2221
 * referrals, IMAP answers a plain {@code NO} that still names the host; SMTP is unchanged.
 */
class LdapMailHostPlainNoThroughJamesTest {

    static final InMemoryLdap LDAP = InMemoryLdap.start();

    static {
        LDAP.modify(LDAP.addUser("dave", "dave@example.org", "dave-secret"), "mailHost", "mail2.example.org");
    }

    @RegisterExtension
    static PackJamesExtension james = PackJamesExtension.builder()
        .usersRepositoryXml(() -> PackXml.usersRepository("directory",
                PackXml.ldap(LDAP, "compare", "localHosts=\"mail1.example.org\""))
            .replace("<authpack mode=\"directory\">", "<authpack mode=\"directory\" imapMailHostAnswer=\"no\">"))
        .confFile("imapserver.xml", () -> LdapMailHostThroughJamesTest.IMAP_THROUGH_THE_PACK)
        .build();

    @AfterAll
    static void stopDirectory() {
        LDAP.close();
    }

    @Test
    void imapShouldAnswerAPlainNoNamingTheHostWhenReferralsAreOff() throws Exception {
        try (ImapClient imap = new ImapClient(james.imapPort())) {
            assertThat(imap.login("dave@example.org", "dave-secret"))
                .isEqualTo("a1 NO LOGIN refused: the mailbox of this account is on mail2.example.org");
            assertThat(imap.authenticatePlain("dave@example.org", "dave-secret"))
                .isEqualTo("a2 NO AUTHENTICATE refused: the mailbox of this account is on mail2.example.org");
        }
        try (SmtpClient smtp = new SmtpClient(james.smtpPort())) {
            smtp.ehlo();
            assertThat(smtp.authPlain("dave@example.org", "dave-secret")).isEqualTo("235 Authentication Successful");
        }
    }
}
