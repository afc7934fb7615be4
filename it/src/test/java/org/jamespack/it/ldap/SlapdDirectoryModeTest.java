package org.jamespack.it.ldap;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.commons.codec.digest.Crypt;
import org.jamespack.auth.ldap.InMemoryLdap;
import org.jamespack.auth.ldap.SlapdServer;
import org.jamespack.it.clients.ImapClient;
import org.jamespack.it.clients.Pop3Client;
import org.jamespack.it.clients.SmtpClient;
import org.jamespack.it.james.PackJamesExtension;
import org.jamespack.it.james.PackXml;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The second tier through James: a real OpenLDAP {@code slapd} from Debian (started by the test
 * on a free port), James in directory mode with LDAP rebind, passwords stored as slapd stores
 * them ({@code {CRYPT}$6$}, {@code {SSHA}}). Skipped, with the reason printed, where slapd is
 * not installed (a failure instead with {@code -Djamespack.slapd.required=true}).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SlapdDirectoryModeTest {

    @RegisterExtension
    @Order(1)
    static BeforeAllCallback slapdInstalled = context -> SlapdServer.assumeInstalled();

    private static SlapdServer slapd;

    @RegisterExtension
    @Order(2)
    static PackJamesExtension james = PackJamesExtension.builder()
        .usersRepositoryXml(() -> PackXml.usersRepository("directory",
            "<ldap name=\"slapd\" url=\"" + startSlapd().url() + "\" baseDn=\"" + SlapdServer.BASE_DN + "\""
                + " bindDn=\"" + SlapdServer.SERVICE_DN + "\" bindPassword=\"" + SlapdServer.SERVICE_PASSWORD + "\""
                + " mode=\"rebind\" loginAttribute=\"mail\" usernameAttribute=\"mail\" connectTimeout=\"1s\" responseTimeout=\"2s\"/>"))
        .build();

    private static SlapdServer startSlapd() {
        try {
            slapd = SlapdServer.builder()
                .user("sam", "sam@example.org", "{CRYPT}" + Crypt.crypt("sam-secret", "$6$saltsaltsaltsalt"))
                .user("tom", "tom@example.org", InMemoryLdap.ssha("tom-secret"))
                .user("una", "una@example.org", "una-secret", "disabled")
                .start();
            return slapd;
        } catch (Exception e) {
            throw new IllegalStateException("slapd did not start", e);
        }
    }

    @AfterAll
    static void stopSlapd() {
        if (slapd != null) {
            slapd.close();
        }
    }

    @Test
    @Order(1)
    void loginsShouldSucceedWithPasswordsAsSlapdStoresThem() throws Exception {
        try (SmtpClient smtp = new SmtpClient(james.smtpPort())) {
            smtp.ehlo();
            assertThat(smtp.authPlain("sam@example.org", "wrong")).isEqualTo("535 5.7.8 Authentication credentials invalid");
            assertThat(smtp.authPlain("sam@example.org", "sam-secret")).isEqualTo("235 Authentication Successful");
        }
        try (ImapClient imap = new ImapClient(james.imapPort())) {
            assertThat(imap.login("tom@example.org", "tom-secret")).isEqualTo("a1 OK LOGIN completed.");
        }
        try (Pop3Client pop = new Pop3Client(james.pop3Port())) {
            assertThat(pop.login("sam@example.org", "sam-secret")).startsWith("+OK");
        }
    }

    @Test
    @Order(2)
    void disabledAccountShouldBeRefusedEverywhere() throws Exception {
        try (SmtpClient smtp = new SmtpClient(james.smtpPort())) {
            smtp.ehlo();
            assertThat(smtp.authPlain("una@example.org", "una-secret")).isEqualTo("535 5.7.8 Authentication credentials invalid");
        }
        try (ImapClient imap = new ImapClient(james.imapPort())) {
            assertThat(imap.login("una@example.org", "una-secret")).isEqualTo("a1 NO LOGIN failed. Invalid login/password.");
        }
    }

    @Test
    @Order(3)
    void loginsShouldFailTemporarilyWhenSlapdIsGone() throws Exception {
        slapd.close();
        try (SmtpClient smtp = new SmtpClient(james.smtpPort())) {
            smtp.ehlo();
            assertThat(smtp.authPlain("sam@example.org", "sam-secret")).isEqualTo("454 4.7.0 Temporary authentication failure");
        }
        try (ImapClient imap = new ImapClient(james.imapPort())) {
            assertThat(imap.login("sam@example.org", "sam-secret")).isEqualTo("a1 NO LOGIN processing failed.");
        }
        try (Pop3Client pop = new Pop3Client(james.pop3Port())) {
            assertThat(pop.login("sam@example.org", "sam-secret")).startsWith("-ERR Unexpected error");
        }
    }
}
