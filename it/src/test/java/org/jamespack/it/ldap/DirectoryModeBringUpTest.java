package org.jamespack.it.ldap;

import static org.assertj.core.api.Assertions.assertThat;

import org.jamespack.auth.james.BackendFactories;
import org.jamespack.it.bringup.BringUpLdap;
import org.jamespack.it.bringup.SimpleBindVerifier;
import org.jamespack.it.clients.ImapClient;
import org.jamespack.it.clients.Pop3Client;
import org.jamespack.it.clients.SmtpClient;
import org.jamespack.it.james.PackJamesExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class DirectoryModeBringUpTest {

    @RegisterExtension
    @Order(1)
    static BringUpLdap ldap = new BringUpLdap();

    @RegisterExtension
    @Order(2)
    static PackJamesExtension james = PackJamesExtension.builder()
        .backends(BackendFactories.standard().withBackend("simplebind", SimpleBindVerifier::fromConfig))
        .usersRepositoryXml(() -> "<usersrepository name=\"LocalUsers\">\n"
            + "  <enableVirtualHosting>true</enableVirtualHosting>\n"
            + "  <authpack mode=\"directory\">\n"
            + "    <simplebind port=\"" + ldap.port() + "\" base=\"" + BringUpLdap.BASE + "\"/>\n"
            + "  </authpack>\n"
            + "</usersrepository>\n")
        .build();

    @BeforeAll
    static void users() throws Exception {
        ldap.addUser("alice", "alice@example.org", "alice-secret");
    }

    @Test
    void smtpAuthPlainShouldAnswer235WhenPasswordRight() throws Exception {
        try (SmtpClient smtp = new SmtpClient(james.smtpPort())) {
            assertThat(smtp.ehlo()).anyMatch(l -> l.contains("AUTH"));
            assertThat(smtp.authPlain("alice@example.org", "alice-secret")).startsWith("235");
        }
        try (SmtpClient smtp = new SmtpClient(james.smtpPort())) {
            smtp.ehlo();
            assertThat(smtp.authPlain("alice@example.org", "wrong")).isEqualTo("535 5.7.8 Authentication credentials invalid");
        }
        try (ImapClient imap = new ImapClient(james.imapPort())) {
            assertThat(imap.login("alice@example.org", "alice-secret")).startsWith("a1 OK");
        }
        try (Pop3Client pop = new Pop3Client(james.pop3Port())) {
            assertThat(pop.login("alice@example.org", "alice-secret")).startsWith("+OK");
        }
        ldap.stop();
        try (SmtpClient smtp = new SmtpClient(james.smtpPort())) {
            smtp.ehlo();
            assertThat(smtp.authPlain("alice@example.org", "alice-secret")).isEqualTo("454 4.7.0 Temporary authentication failure");
        }
        try (ImapClient imap = new ImapClient(james.imapPort())) {
            assertThat(imap.login("alice@example.org", "alice-secret")).startsWith("a1 NO").contains("processing failed");
        }
        try (Pop3Client pop = new Pop3Client(james.pop3Port())) {
            assertThat(pop.login("alice@example.org", "alice-secret")).startsWith("-ERR");
        }
        ldap.restart();
        try (ImapClient imap = new ImapClient(james.imapPort())) {
            assertThat(imap.login("alice@example.org", "alice-secret")).startsWith("a1 OK");
        }
    }
}
