package org.jamespack.it.dist;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.jamespack.auth.ldap.InMemoryLdap;
import org.jamespack.it.clients.ImapClient;
import org.jamespack.it.clients.Pop3Client;
import org.jamespack.it.clients.SmtpClient;
import org.jamespack.it.james.Eventually;
import org.jamespack.it.samples.SampleTree;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Directory mode on James' own launcher, as INSTALL.md tells it: the {@code ldap-rebind} tree
 * with James' own LDAP users repository attributes added to {@code <usersrepository>} (so that
 * James knows the directory's users for delivery), the {@code <authpack>} element inside it.
 * James lists and delivers to the directory's users; every login is still the pack's (the audit
 * line is there, James' LDAP repository is never asked for a password). In a child JVM laid out
 * as the memory image, with James' own UnboundID 6.0.7 under both James' repository and the pack.
 */
class JamesOwnLauncherDirectoryModeTest {

    @Test
    void directoryUsersShouldGetMailAndLogInThroughThePack(@TempDir Path dir) throws Exception {
        try (InMemoryLdap ldap = InMemoryLdap.start()) {
            ldap.server().add("dn: cn=james,dc=example,dc=org", "objectClass: top", "objectClass: person", "cn: james",
                "sn: james", "userPassword: CHANGE-ME");
            ldap.addUser("alice", "alice@example.org", "alice-secret");

            Path context = Distribution.load().unpack(dir.resolve("context"));
            Path image = dir.resolve("image");
            DockerLayoutTest.baseImage(image, JamesClasspath.load());
            Path root = image.resolve("root");
            DockerLayoutTest.copyInto(context.resolve("lib"), root.resolve("extensions-jars"), true);
            Path keystore = dir.resolve("keystore");
            SampleTree.createKeystore(keystore);
            SampleTree tree = new SampleTree(keystore, "ldap-rebind", root).backend("ldap://127.0.0.1:389", ldap.url()).install();
            // INSTALL.md, directory mode: James' LDAP repository on the same directory
            Path users = root.resolve("conf/usersrepository.xml");
            String xml = Files.readString(users, StandardCharsets.UTF_8);
            assertThat(xml).contains("<usersrepository name=\"LocalUsers\">");
            Files.writeString(users, xml.replace("<usersrepository name=\"LocalUsers\">",
                "<usersrepository name=\"LocalUsers\" ldapHost=\"" + ldap.url() + "\" principal=\"cn=james,dc=example,dc=org\""
                    + " credentials=\"CHANGE-ME\" userBase=\"ou=people,dc=example,dc=org\" userIdAttribute=\"mail\""
                    + " userObjectClass=\"inetOrgPerson\" connectionTimeout=\"5000\" readTimeout=\"5000\">\n"
                    // James' LDAP repository's own key for full-address logins (it ignores enableVirtualHosting)
                    + "    <supportsVirtualHosting>true</supportsVirtualHosting>"),
                StandardCharsets.UTF_8);

            Path log = dir.resolve("james.out");
            ProcessBuilder pb = DockerLayoutTest.jamesImageCommand(root).redirectErrorStream(true).redirectOutput(log.toFile());
            Process james = null;
            try {
                james = DockerLayoutTest.startOnTreePorts(pb, tree, log, Duration.ofMinutes(3), 25, 993, 110);
                // James knows alice from the directory: mail to her is accepted and delivered
                try (SmtpClient smtp = new SmtpClient(tree.port(25))) {
                    smtp.ehlo();
                    assertThat(smtp.command("MAIL FROM:<someone@elsewhere.example>")).startsWith("250");
                    assertThat(smtp.command("RCPT TO:<alice@example.org>")).startsWith("250");
                    assertThat(smtp.command("DATA")).startsWith("354");
                    smtp.send("Subject: directory mode");
                    smtp.send("");
                    smtp.send("delivered to a directory user");
                    assertThat(smtp.command(".")).startsWith("250");
                    smtp.quit();
                }
                Eventually.within(Duration.ofSeconds(30), () -> {
                    try (ImapClient imap = ImapClient.tls(tree.port(993), null)) {
                        assertThat(imap.login("alice@example.org", "alice-secret")).isEqualTo("a1 OK LOGIN completed.");
                        assertThat(imap.command("STATUS INBOX (MESSAGES)")).startsWith("a2 OK");
                        assertThat(imap.command("SELECT INBOX")).startsWith("a3 OK");
                        assertThat(imap.command("FETCH 1 (FLAGS)")).startsWith("a4 OK");
                    }
                });
                try (Pop3Client pop3 = new Pop3Client(tree.port(110))) {
                    assertThat(pop3.login("alice@example.org", "alice-secret")).startsWith("+OK");
                }
                String out = Files.readString(log, StandardCharsets.UTF_8);
                assertThat(out).contains("authpack: directory mode")
                    .contains("login=alice@example.org protocol=imap").contains("login=alice@example.org protocol=pop3");
            } finally {
                if (james != null) {
                    DockerLayoutTest.stop(james);
                }
                tree.close();
            }
        }
    }
}
