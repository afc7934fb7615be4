package org.jamespack.it.kopano;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;

import org.jamespack.auth.kopano.standin.KopanoStandIn;
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
 * Kopano in password-only mode through a real James 3.8.1: James' own users say who exists,
 * the Kopano SOAP stand-in checks passwords and the per-protocol feature gates, as pam_mapi
 * with one PAM file per service ({@code service=imap} for IMAP, {@code pop3} for POP3,
 * {@code imap|pop3} for SMTP AUTH).
 */
class KopanoPasswordOnlyModeTest {

    static final KopanoStandIn KOPANO = start();

    static {
        // the server's disabled_features stays Kopano's default, "imap pop3": users switch them on
        KOPANO.addUser("anna@example.org", "anna-secret").enable("imap", "pop3");
        KOPANO.addUser("paul@example.org", "paul-secret").enable("pop3");
        KOPANO.addUser("nina@example.org", "nina-secret");
    }

    @RegisterExtension
    static PackJamesExtension james = PackJamesExtension.builder()
        .usersRepositoryXml(() -> PackXml.usersRepository("password-only", PackXml.kopano(KOPANO, "",
            "<service>imap|pop3</service>"
                + "<service protocol=\"imap\">imap</service>"
                + "<service protocol=\"pop3\">pop3</service>")))
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
        for (String user : new String[] {"anna@example.org", "paul@example.org", "nina@example.org"}) {
            james.addJamesUser(user, "james-own-password");
        }
    }

    @AfterAll
    static void stopKopano() {
        assertThat(KOPANO.clientViolations()).isEmpty();
        KOPANO.close();
    }

    @Test
    void smtpImapPop3ShouldAcceptKopanoPasswordWhenFeaturesAreOn() throws Exception {
        try (SmtpClient smtp = new SmtpClient(james.smtpPort())) {
            smtp.ehlo();
            assertThat(smtp.authPlain("anna@example.org", "wrong")).isEqualTo("535 5.7.8 Authentication credentials invalid");
            assertThat(smtp.authPlain("anna@example.org", "james-own-password")).isEqualTo("535 5.7.8 Authentication credentials invalid");
            assertThat(smtp.authLogin("anna@example.org", "anna-secret")).isEqualTo("235 Authentication Successful");
        }
        try (ImapClient imap = new ImapClient(james.imapPort())) {
            assertThat(imap.login("anna@example.org", "wrong")).isEqualTo("a1 NO LOGIN failed. Invalid login/password.");
            assertThat(imap.login("anna@example.org", "anna-secret")).isEqualTo("a2 OK LOGIN completed.");
        }
        try (Pop3Client pop = new Pop3Client(james.pop3Port())) {
            assertThat(pop.login("anna@example.org", "anna-secret")).startsWith("+OK");
        }
    }

    @Test
    void imapShouldRefuseUserWithImapDisabledWhilePop3AndSmtpAccept() throws Exception {
        try (ImapClient imap = new ImapClient(james.imapPort())) {
            assertThat(imap.login("paul@example.org", "paul-secret")).isEqualTo("a1 NO LOGIN failed. Invalid login/password.");
        }
        try (Pop3Client pop = new Pop3Client(james.pop3Port())) {
            assertThat(pop.login("paul@example.org", "paul-secret")).startsWith("+OK");
        }
        // SMTP's gate is imap|pop3: one of them is enough
        try (SmtpClient smtp = new SmtpClient(james.smtpPort())) {
            smtp.ehlo();
            assertThat(smtp.authPlain("paul@example.org", "paul-secret")).isEqualTo("235 Authentication Successful");
        }
    }

    @Test
    void everyProtocolShouldRefuseUserWithBothFeaturesOff() throws Exception {
        try (SmtpClient smtp = new SmtpClient(james.smtpPort())) {
            smtp.ehlo();
            assertThat(smtp.authPlain("nina@example.org", "nina-secret")).isEqualTo("535 5.7.8 Authentication credentials invalid");
        }
        try (ImapClient imap = new ImapClient(james.imapPort())) {
            assertThat(imap.login("nina@example.org", "nina-secret")).isEqualTo("a1 NO LOGIN failed. Invalid login/password.");
        }
        try (Pop3Client pop = new Pop3Client(james.pop3Port())) {
            assertThat(pop.login("nina@example.org", "nina-secret")).isEqualTo("-ERR Authentication failed.");
        }
    }

    @Test
    void loginsShouldFailTemporarilyWhileKopanoIsDownThenRecover() throws Exception {
        KOPANO.outage(KopanoStandIn.Outage.RESET);
        try {
            try (SmtpClient smtp = new SmtpClient(james.smtpPort())) {
                smtp.ehlo();
                assertThat(smtp.authPlain("anna@example.org", "anna-secret")).isEqualTo("454 4.7.0 Temporary authentication failure");
            }
            try (ImapClient imap = new ImapClient(james.imapPort())) {
                assertThat(imap.login("anna@example.org", "anna-secret")).isEqualTo("a1 NO LOGIN processing failed.");
            }
            try (Pop3Client pop = new Pop3Client(james.pop3Port())) {
                assertThat(pop.login("anna@example.org", "anna-secret")).startsWith("-ERR Unexpected error");
            }
            KOPANO.outage(KopanoStandIn.Outage.HTTP_500);
            try (SmtpClient smtp = new SmtpClient(james.smtpPort())) {
                smtp.ehlo();
                assertThat(smtp.authPlain("anna@example.org", "anna-secret")).isEqualTo("454 4.7.0 Temporary authentication failure");
            }
        } finally {
            KOPANO.outage(KopanoStandIn.Outage.NONE);
        }
        Eventually.within(Duration.ofSeconds(10), () -> {
            try (SmtpClient smtp = new SmtpClient(james.smtpPort())) {
                smtp.ehlo();
                assertThat(smtp.authPlain("anna@example.org", "anna-secret")).isEqualTo("235 Authentication Successful");
            }
        });
        try (ImapClient imap = new ImapClient(james.imapPort())) {
            assertThat(imap.login("anna@example.org", "anna-secret")).isEqualTo("a1 OK LOGIN completed.");
        }
    }
}
