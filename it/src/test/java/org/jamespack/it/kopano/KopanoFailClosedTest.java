package org.jamespack.it.kopano;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.UncheckedIOException;

import javax.inject.Inject;

import org.apache.james.core.Username;
import org.apache.james.mailbox.Authenticator;
import org.apache.james.mailbox.exception.MailboxException;
import org.apache.james.utils.GuiceProbe;
import org.jamespack.auth.kopano.standin.KopanoStandIn;
import org.jamespack.auth.kopano.standin.KopanoStandIn.BadErrorCode;
import org.jamespack.it.clients.ImapClient;
import org.jamespack.it.clients.Pop3Client;
import org.jamespack.it.clients.SmtpClient;
import org.jamespack.it.james.PackJamesExtension;
import org.jamespack.it.james.PackXml;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import com.google.inject.multibindings.Multibinder;

/**
 * Kopano answers the pack must not take for a success, through a real James 3.8.1 in
 * password-only mode: a {@code logonResponse} or {@code getUserResponse}
 * without a valid {@code er} is a server fault (SMTP 454, IMAP {@code NO LOGIN processing
 * failed}, POP3 {@code -ERR}), never 235 or OK; and with gates for IMAP and POP3 only, a caller
 * of another protocol is refused although the password is right, while SMTP, listed in
 * {@code ungatedProtocols}, gets in on the password alone.
 */
class KopanoFailClosedTest {

    static final KopanoStandIn KOPANO = start();

    static {
        // the server's disabled_features stays Kopano's default, "imap pop3": users switch them on
        KOPANO.addUser("mara@example.org", "mara-secret").enable("imap", "pop3");
        KOPANO.addUser("olaf@example.org", "olaf-secret");
    }

    @RegisterExtension
    static PackJamesExtension james = PackJamesExtension.builder()
        .usersRepositoryXml(() -> PackXml.usersRepository("password-only", PackXml.kopano(KOPANO, "",
            "<service protocol=\"imap\">imap</service>"
                + "<service protocol=\"pop3\">pop3</service>"
                + "<ungatedProtocols>smtp</ungatedProtocols>")))
        .overrideWith(binder -> Multibinder.newSetBinder(binder, GuiceProbe.class).addBinding().to(AuthenticatorProbe.class))
        .build();

    /** Calls James' bound mailbox {@link Authenticator} from the test thread: a caller no James protocol frame names. */
    public static final class AuthenticatorProbe implements GuiceProbe {
        private final Authenticator authenticator;

        @Inject
        public AuthenticatorProbe(Authenticator authenticator) {
            this.authenticator = authenticator;
        }

        public boolean isAuthentic(String user, String password) throws MailboxException {
            return authenticator.isAuthentic(Username.of(user), password);
        }
    }

    private static KopanoStandIn start() {
        try {
            return KopanoStandIn.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @BeforeAll
    static void jamesUsers() {
        james.addJamesUser("mara@example.org", "james-own-password");
        james.addJamesUser("olaf@example.org", "james-own-password");
    }

    @AfterEach
    void wellBehavedAgain() {
        KOPANO.malformErrorCode(null);
    }

    @AfterAll
    static void stopKopano() {
        assertThat(KOPANO.clientViolations()).isEmpty();
        assertThat(KOPANO.openSessions()).isZero();
        KOPANO.close();
    }

    @ParameterizedTest
    @EnumSource(BadErrorCode.class)
    void aLogonAnswerWithoutAValidErrorCodeShouldFailTemporarilyOnEveryProtocol(BadErrorCode shape) throws Exception {
        KOPANO.malformErrorCode(shape, "logon");

        try (SmtpClient smtp = new SmtpClient(james.smtpPort())) {
            smtp.ehlo();
            assertThat(smtp.authPlain("mara@example.org", "mara-secret")).isEqualTo("454 4.7.0 Temporary authentication failure");
            // SMTP is ungated: a wrong password meets the same answer, so nothing depends on a session id
            assertThat(smtp.authPlain("mara@example.org", "wrong")).isEqualTo("454 4.7.0 Temporary authentication failure");
        }
        try (ImapClient imap = new ImapClient(james.imapPort())) {
            assertThat(imap.login("mara@example.org", "mara-secret")).isEqualTo("a1 NO LOGIN processing failed.");
        }
        try (Pop3Client pop = new Pop3Client(james.pop3Port())) {
            assertThat(pop.login("mara@example.org", "mara-secret")).startsWith("-ERR");
        }
    }

    @ParameterizedTest
    @EnumSource(BadErrorCode.class)
    void aGetUserAnswerWithoutAValidErrorCodeShouldFailTemporarily(BadErrorCode shape) throws Exception {
        KOPANO.malformErrorCode(shape, "getUser");

        try (SmtpClient smtp = new SmtpClient(james.smtpPort())) {
            smtp.ehlo();
            assertThat(smtp.authPlain("mara@example.org", "mara-secret")).isEqualTo("454 4.7.0 Temporary authentication failure");
        }
        try (ImapClient imap = new ImapClient(james.imapPort())) {
            assertThat(imap.login("mara@example.org", "mara-secret")).isEqualTo("a1 NO LOGIN processing failed.");
        }
    }

    @Test
    void aWellFormedServerShouldStillLetMaraInAfterwards() throws Exception {
        try (SmtpClient smtp = new SmtpClient(james.smtpPort())) {
            smtp.ehlo();
            assertThat(smtp.authPlain("mara@example.org", "mara-secret")).isEqualTo("235 Authentication Successful");
        }
        try (ImapClient imap = new ImapClient(james.imapPort())) {
            assertThat(imap.login("mara@example.org", "mara-secret")).isEqualTo("a1 OK LOGIN completed.");
        }
    }

    @Test
    void aCallerWithoutAGateShouldBeRefusedWhileUngatedSmtpGetsIn() throws Exception {
        AuthenticatorProbe other = james.server().getProbe(AuthenticatorProbe.class);

        // before the fix, an unnamed caller (protocol "other") passed on the password alone
        assertThat(other.isAuthentic("mara@example.org", "mara-secret")).isFalse();
        assertThat(other.isAuthentic("olaf@example.org", "olaf-secret")).isFalse();
        try (SmtpClient smtp = new SmtpClient(james.smtpPort())) {
            smtp.ehlo();
            assertThat(smtp.authPlain("olaf@example.org", "olaf-secret")).isEqualTo("235 Authentication Successful");
        }
        try (ImapClient imap = new ImapClient(james.imapPort())) {
            assertThat(imap.login("olaf@example.org", "olaf-secret")).isEqualTo("a1 NO LOGIN failed. Invalid login/password.");
        }
        // an outage is still an outage for the unnamed caller, not a refusal
        KOPANO.outage(KopanoStandIn.Outage.RESET);
        try {
            assertThatThrownBy(() -> other.isAuthentic("mara@example.org", "mara-secret")).isInstanceOf(MailboxException.class);
        } finally {
            KOPANO.outage(KopanoStandIn.Outage.NONE);
        }
    }
}
