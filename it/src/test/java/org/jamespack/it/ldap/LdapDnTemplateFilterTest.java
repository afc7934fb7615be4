package org.jamespack.it.ldap;

import static org.assertj.core.api.Assertions.assertThat;

import org.jamespack.auth.ldap.InMemoryLdap;
import org.jamespack.it.clients.ImapClient;
import org.jamespack.it.clients.Pop3Client;
import org.jamespack.it.clients.SmtpClient;
import org.jamespack.it.james.PackJamesExtension;
import org.jamespack.it.james.PackXml;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Directory mode, rebind with {@code dnTemplate} and a {@code filter}, through a real James 3.8.1:
 * a user whose entry is outside the filter binds with a right password, and is refused on every
 * protocol all the same (the template must not skip the filter).
 */
class LdapDnTemplateFilterTest {

    static final InMemoryLdap LDAP = InMemoryLdap.start();

    static {
        // the template's RDN is the login, and logins are mail addresses under virtual hosting
        String dan = LDAP.addUser("dan@example.org", "dan@example.org", "dan-secret");
        LDAP.modify(dan, "description", "mx1");
        LDAP.addUser("erin@example.org", "erin@example.org", "erin-secret");
    }

    @RegisterExtension
    static PackJamesExtension james = PackJamesExtension.builder()
        .usersRepositoryXml(() -> PackXml.usersRepository("directory",
            "<ldap name=\"ldap\" url=\"" + LDAP.url() + "\" baseDn=\"" + InMemoryLdap.BASE_DN + "\""
                + " bindDn=\"" + InMemoryLdap.SERVICE_DN + "\" bindPassword=\"" + InMemoryLdap.SERVICE_PASSWORD + "\""
                + " mode=\"rebind\" dnTemplate=\"uid={login}," + InMemoryLdap.PEOPLE_DN + "\""
                + " loginAttribute=\"mail\" usernameAttribute=\"mail\" filter=\"(description=mx1)\""
                + " connectTimeout=\"1s\" responseTimeout=\"2s\"/>"))
        .build();

    @AfterAll
    static void stopDirectory() {
        LDAP.close();
    }

    @Test
    void aUserInsideTheFilterShouldLogInOnEveryProtocol() throws Exception {
        try (SmtpClient smtp = new SmtpClient(james.smtpPort())) {
            smtp.ehlo();
            assertThat(smtp.authPlain("dan@example.org", "dan-secret")).isEqualTo("235 Authentication Successful");
        }
        try (ImapClient imap = new ImapClient(james.imapPort())) {
            assertThat(imap.login("dan@example.org", "dan-secret")).isEqualTo("a1 OK LOGIN completed.");
        }
        try (Pop3Client pop = new Pop3Client(james.pop3Port())) {
            assertThat(pop.login("dan@example.org", "dan-secret")).startsWith("+OK");
        }
    }

    @Test
    void aUserOutsideTheFilterShouldBeRefusedAlthoughThePasswordIsRight() throws Exception {
        try (ImapClient imap = new ImapClient(james.imapPort())) {
            assertThat(imap.login("erin@example.org", "erin-secret")).isEqualTo("a1 NO LOGIN failed. Invalid login/password.");
        }
        try (SmtpClient smtp = new SmtpClient(james.smtpPort())) {
            smtp.ehlo();
            assertThat(smtp.authPlain("erin@example.org", "erin-secret")).isEqualTo("535 5.7.8 Authentication credentials invalid");
        }
        try (Pop3Client pop = new Pop3Client(james.pop3Port())) {
            assertThat(pop.login("erin@example.org", "erin-secret")).startsWith("-ERR");
        }
        // the bind itself happened: the password is right, only the filter refuses her
        assertThat(LDAP.bindsTo("uid=erin@example.org," + InMemoryLdap.PEOPLE_DN)).isPositive();
    }
}
