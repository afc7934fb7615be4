package org.jamespack.it.ldap;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.jamespack.auth.ldap.InMemoryLdap;
import org.jamespack.it.clients.ImapClient;
import org.jamespack.it.clients.Pop3Client;
import org.jamespack.it.clients.SmtpClient;
import org.jamespack.it.james.Eventually;
import org.jamespack.it.james.PackJamesExtension;
import org.jamespack.it.james.PackXml;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Password-only mode with LDAP compare (the service account reads {@code userPassword}, the pack
 * verifies the hash): James' own users repository says who exists, the pack's mailbox
 * authenticator and SMTP hook check the password against the directory.
 */
class LdapComparePasswordOnlyModeTest {

    static final InMemoryLdap LDAP = InMemoryLdap.start();

    static {
        LDAP.addUser("alice", "alice@example.org", "alice-secret");
        LDAP.addSshaUser("bob", "bob@example.org", "bob-secret");
        LDAP.addSshaUser("erin", "erin@example.org", "erin-secret");
    }

    @RegisterExtension
    static PackJamesExtension james = PackJamesExtension.builder()
        .usersRepositoryXml(() -> PackXml.usersRepository("password-only", PackXml.ldap(LDAP, "compare", "")))
        .build();

    @BeforeAll
    static void jamesUsers() {
        // James knows alice and bob, with passwords of its own that must not work; erin only lives in LDAP
        james.addJamesUser("alice@example.org", "james-own-password");
        james.addJamesUser("bob@example.org", "james-own-password");
    }

    @AfterAll
    static void stopDirectory() {
        LDAP.close();
    }

    @Test
    void smtpAuthShouldAcceptTheDirectoryPasswordOnly() throws Exception {
        try (SmtpClient smtp = new SmtpClient(james.smtpPort())) {
            smtp.ehlo();
            assertThat(smtp.authPlain("alice@example.org", "james-own-password")).isEqualTo("535 5.7.8 Authentication credentials invalid");
            assertThat(smtp.authLogin("bob@example.org", "bob-secret")).isEqualTo("235 Authentication Successful");
        }
        try (SmtpClient smtp = new SmtpClient(james.smtpPort())) {
            smtp.ehlo();
            assertThat(smtp.authPlain("alice@example.org", "alice-secret")).isEqualTo("235 Authentication Successful");
        }
    }

    @Test
    void loginShouldFailWhenUserIsUnknownToJames() throws Exception {
        try (SmtpClient smtp = new SmtpClient(james.smtpPort())) {
            smtp.ehlo();
            assertThat(smtp.authPlain("erin@example.org", "erin-secret")).isEqualTo("535 5.7.8 Authentication credentials invalid");
        }
        try (ImapClient imap = new ImapClient(james.imapPort())) {
            assertThat(imap.login("erin@example.org", "erin-secret")).isEqualTo("a1 NO LOGIN failed. Invalid login/password.");
        }
    }

    @Test
    void imapAndPop3ShouldAcceptTheDirectoryPasswordOnly() throws Exception {
        try (ImapClient imap = new ImapClient(james.imapPort())) {
            assertThat(imap.login("bob@example.org", "james-own-password")).isEqualTo("a1 NO LOGIN failed. Invalid login/password.");
            assertThat(imap.login("bob@example.org", "bob-secret")).isEqualTo("a2 OK LOGIN completed.");
        }
        try (Pop3Client pop = new Pop3Client(james.pop3Port())) {
            assertThat(pop.login("alice@example.org", "james-own-password")).isEqualTo("-ERR Authentication failed.");
        }
        try (Pop3Client pop = new Pop3Client(james.pop3Port())) {
            assertThat(pop.login("alice@example.org", "alice-secret")).startsWith("+OK");
        }
    }

    @Test
    void loginsShouldFailTemporarilyWhileDirectoryIsDownThenRecover() throws Exception {
        LDAP.pause();
        try {
            try (SmtpClient smtp = new SmtpClient(james.smtpPort())) {
                smtp.ehlo();
                assertThat(smtp.authPlain("bob@example.org", "bob-secret")).isEqualTo("454 4.7.0 Temporary authentication failure");
            }
            try (ImapClient imap = new ImapClient(james.imapPort())) {
                assertThat(imap.login("bob@example.org", "bob-secret")).isEqualTo("a1 NO LOGIN processing failed.");
            }
            try (Pop3Client pop = new Pop3Client(james.pop3Port())) {
                assertThat(pop.login("bob@example.org", "bob-secret")).startsWith("-ERR Unexpected error");
            }
        } finally {
            LDAP.resume();
        }
        Eventually.within(Duration.ofSeconds(10), () -> {
            try (ImapClient imap = new ImapClient(james.imapPort())) {
                assertThat(imap.login("bob@example.org", "bob-secret")).isEqualTo("a1 OK LOGIN completed.");
            }
        });
        try (SmtpClient smtp = new SmtpClient(james.smtpPort())) {
            smtp.ehlo();
            assertThat(smtp.authPlain("bob@example.org", "bob-secret")).isEqualTo("235 Authentication Successful");
        }
    }
}
