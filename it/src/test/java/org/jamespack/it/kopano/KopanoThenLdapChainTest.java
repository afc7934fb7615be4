package org.jamespack.it.kopano;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;

import org.jamespack.auth.kopano.standin.KopanoStandIn;
import org.jamespack.auth.ldap.InMemoryLdap;
import org.jamespack.it.clients.ImapClient;
import org.jamespack.it.clients.Pop3Client;
import org.jamespack.it.clients.SmtpClient;
import org.jamespack.it.james.PackJamesExtension;
import org.jamespack.it.james.PackXml;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * pam_mapi's stacking example in James: Kopano {@code sufficient quiet}, then LDAP
 * {@code required}, in password-only mode. A user who lives in only one of the two logs in
 * either way; while Kopano is down the LDAP user still gets in and the Kopano user is told to
 * try again (454), not that the password is wrong.
 */
class KopanoThenLdapChainTest {

    static final KopanoStandIn KOPANO = start();
    static final InMemoryLdap LDAP = InMemoryLdap.start();

    static {
        KOPANO.serverDisabledFeatures();
        KOPANO.addUser("kim@example.org", "kim-secret");
        LDAP.addUser("lee", "lee@example.org", "lee-secret");
    }

    @RegisterExtension
    static PackJamesExtension james = PackJamesExtension.builder()
        .usersRepositoryXml(() -> PackXml.usersRepository("password-only",
            PackXml.kopano(KOPANO, "control=\"sufficient\" quiet=\"true\"", ""),
            PackXml.ldap(LDAP, "rebind", "control=\"required\"")))
        .build();

    private static KopanoStandIn start() {
        try {
            return KopanoStandIn.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @BeforeAll
    static void jamesUsers() {
        james.addJamesUser("kim@example.org", "james-own-password");
        james.addJamesUser("lee@example.org", "james-own-password");
    }

    @AfterAll
    static void stopBackends() {
        assertThat(KOPANO.clientViolations()).isEmpty();
        KOPANO.close();
        LDAP.close();
    }

    @Test
    void usersOfEitherBackendShouldLogInWithTheirOwnPassword() throws Exception {
        try (SmtpClient smtp = new SmtpClient(james.smtpPort())) {
            smtp.ehlo();
            assertThat(smtp.authPlain("kim@example.org", "lee-secret")).isEqualTo("535 5.7.8 Authentication credentials invalid");
            assertThat(smtp.authPlain("kim@example.org", "kim-secret")).isEqualTo("235 Authentication Successful");
        }
        try (SmtpClient smtp = new SmtpClient(james.smtpPort())) {
            smtp.ehlo();
            assertThat(smtp.authPlain("lee@example.org", "kim-secret")).isEqualTo("535 5.7.8 Authentication credentials invalid");
            assertThat(smtp.authPlain("lee@example.org", "lee-secret")).isEqualTo("235 Authentication Successful");
        }
        try (ImapClient imap = new ImapClient(james.imapPort())) {
            assertThat(imap.login("kim@example.org", "kim-secret")).isEqualTo("a1 OK LOGIN completed.");
        }
        try (ImapClient imap = new ImapClient(james.imapPort())) {
            assertThat(imap.login("lee@example.org", "lee-secret")).isEqualTo("a1 OK LOGIN completed.");
        }
        try (Pop3Client pop = new Pop3Client(james.pop3Port())) {
            assertThat(pop.login("lee@example.org", "lee-secret")).startsWith("+OK");
        }
    }

    @Test
    void kopanoOutageShouldNotLockOutLdapUsersNorCallKopanoUsersWrong() throws Exception {
        KOPANO.outage(KopanoStandIn.Outage.RESET);
        try {
            try (SmtpClient smtp = new SmtpClient(james.smtpPort())) {
                smtp.ehlo();
                assertThat(smtp.authPlain("kim@example.org", "kim-secret")).isEqualTo("454 4.7.0 Temporary authentication failure");
                assertThat(smtp.authPlain("lee@example.org", "lee-secret")).isEqualTo("235 Authentication Successful");
            }
            try (ImapClient imap = new ImapClient(james.imapPort())) {
                assertThat(imap.login("kim@example.org", "kim-secret")).isEqualTo("a1 NO LOGIN processing failed.");
                assertThat(imap.login("lee@example.org", "lee-secret")).isEqualTo("a2 OK LOGIN completed.");
            }
        } finally {
            KOPANO.outage(KopanoStandIn.Outage.NONE);
        }
    }
}
