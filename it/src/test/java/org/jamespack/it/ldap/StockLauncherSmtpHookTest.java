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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * James started by the stock launcher (no pack module), with only the pack's hook in
 * {@code smtpserver.xml}: the hook reads {@code <authpack>} from {@code usersrepository.xml} itself.
 * SMTP AUTH then goes through the pack; IMAP stays James' own business, and so does POP3: the
 * pack's PASS handler, also in the chain, falls back to James' own when there is no shared pack.
 */
class StockLauncherSmtpHookTest {

    static final InMemoryLdap LDAP = InMemoryLdap.start();

    static {
        LDAP.addUser("alice", "alice@example.org", "alice-secret");
    }

    @RegisterExtension
    static PackJamesExtension james = PackJamesExtension.builder()
        .stockLauncher()
        .usersRepositoryXml(() -> PackXml.usersRepository("directory", PackXml.ldap(LDAP, "compare-operation", "")))
        .build();

    @AfterAll
    static void stopDirectory() {
        LDAP.close();
    }

    @Test
    void smtpAuthShouldGoThroughThePackWithoutItsLauncher() throws Exception {
        assertThat(james.pack()).isNull();
        try (SmtpClient smtp = new SmtpClient(james.smtpPort())) {
            smtp.ehlo();
            assertThat(smtp.authPlain("alice@example.org", "wrong")).isEqualTo("535 5.7.8 Authentication credentials invalid");
            assertThat(smtp.authPlain("alice@example.org", "alice-secret")).isEqualTo("235 Authentication Successful");
        }
        LDAP.pause();
        try (SmtpClient smtp = new SmtpClient(james.smtpPort())) {
            smtp.ehlo();
            assertThat(smtp.authPlain("alice@example.org", "alice-secret")).isEqualTo("454 4.7.0 Temporary authentication failure");
        } finally {
            LDAP.resume();
        }
        Eventually.within(Duration.ofSeconds(10), () -> {
            try (SmtpClient smtp = new SmtpClient(james.smtpPort())) {
                smtp.ehlo();
                assertThat(smtp.authPlain("alice@example.org", "alice-secret")).isEqualTo("235 Authentication Successful");
            }
        });
    }

    @Test
    void imapShouldStayWithJamesOwnUsersWithoutThePackLauncher() throws Exception {
        try (ImapClient imap = new ImapClient(james.imapPort())) {
            assertThat(imap.login("alice@example.org", "alice-secret")).isEqualTo("a1 NO LOGIN failed. Invalid login/password.");
        }
    }

    @Test
    void pop3ShouldStayWithJamesOwnUsersWithoutThePackLauncher() throws Exception {
        // through the pack alice would be let in: James' own users do not hold her
        try (Pop3Client pop3 = new Pop3Client(james.pop3Port())) {
            assertThat(pop3.login("alice@example.org", "alice-secret")).isEqualTo("-ERR Authentication failed.");
        }
    }
}
