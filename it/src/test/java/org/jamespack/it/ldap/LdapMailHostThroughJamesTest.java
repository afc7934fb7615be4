package org.jamespack.it.ldap;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;

import org.apache.james.utils.GuiceProbe;
import org.jamespack.auth.ldap.InMemoryLdap;
import org.jamespack.it.clients.ImapClient;
import org.jamespack.it.clients.Pop3Client;
import org.jamespack.it.clients.SmtpClient;
import org.jamespack.it.james.PackJamesExtension;
import org.jamespack.it.james.PackXml;
import org.jamespack.it.ops.MetricsProbe;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;

import com.google.inject.multibindings.Multibinder;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;

/**
 * qmail-ldap clustering through a real James 3.8.1: this James is {@code mail1.example.org}
 * ({@code localHosts}), dave's entry says his mailbox is on {@code mail2.example.org}. SMTP AUTH
 * works for him (submission works on any node), IMAP LOGIN and AUTHENTICATE answer an RFC 2221
 * login referral, POP3 {@code -ERR [SYS/PERM]} naming the host; neither counts as a failed login.
 * The audit line and the metrics name the host.
 */
class LdapMailHostThroughJamesTest {

    private static final String REFERRAL = "[REFERRAL imap://dave%40example.org;AUTH=*@mail2.example.org/]";
    private static final String ELSEWHERE = "refused: the mailbox of this account is on mail2.example.org";

    static final String IMAP_THROUGH_THE_PACK = "<imapservers>\n"
        + "  <imapPackages>org.apache.james.modules.protocols.ImapPackage$DefaultNoAuth</imapPackages>\n"
        + "  <imapPackages>org.jamespack.auth.james.PackImapPackage</imapPackages>\n"
        + "  <imapserver enabled=\"true\"><jmxName>imapserver</jmxName><bind>127.0.0.1:0</bind>\n"
        + "    <tls socketTLS=\"false\" startTLS=\"false\"/><plainAuthDisallowed>false</plainAuthDisallowed>\n"
        + "    <gracefulShutdown>false</gracefulShutdown></imapserver>\n"
        + "</imapservers>\n";

    static final InMemoryLdap LDAP = InMemoryLdap.start();

    static {
        LDAP.modify(LDAP.addUser("alice", "alice@example.org", "alice-secret"), "mailHost", "mail1.example.org");
        LDAP.modify(LDAP.addUser("dave", "dave@example.org", "dave-secret"), "mailHost", "mail2.example.org");
        LDAP.modify(LDAP.addUser("carol", "carol@example.org", "carol-secret", Optional.of("disabled")),
            "mailHost", "mail2.example.org");
    }

    @RegisterExtension
    static PackJamesExtension james = PackJamesExtension.builder()
        .usersRepositoryXml(() -> PackXml.usersRepository("directory",
            PackXml.ldap(LDAP, "rebind", "localHosts=\"mail1.example.org\"")))
        // LOGIN and AUTHENTICATE through the pack's IMAP processors, as the samples and the demo configure them
        .confFile("imapserver.xml", () -> IMAP_THROUGH_THE_PACK)
        .overrideWith(binder -> Multibinder.newSetBinder(binder, GuiceProbe.class).addBinding().to(MetricsProbe.class))
        .build();

    static final ListAppender<ILoggingEvent> AUDIT = new ListAppender<>();

    static {
        AUDIT.start();
        ((Logger) LoggerFactory.getLogger("org.jamespack.auth.audit")).addAppender(AUDIT);
    }

    @AfterAll
    static void stopDirectory() {
        ((Logger) LoggerFactory.getLogger("org.jamespack.auth.audit")).detachAppender(AUDIT);
        LDAP.close();
    }

    @Test
    void smtpAuthShouldWorkWhenTheMailboxIsOnAnotherHost() throws Exception {
        try (SmtpClient smtp = new SmtpClient(james.smtpPort())) {
            smtp.ehlo();
            assertThat(smtp.authPlain("dave@example.org", "dave-secret")).isEqualTo("235 Authentication Successful");
            assertThat(smtp.command("MAIL FROM:<dave@example.org>")).startsWith("250");
            assertThat(smtp.command("RCPT TO:<someone@remote.example>")).startsWith("250");
        }
    }

    @Test
    void imapLoginShouldAnswerALoginReferralAndNotCountItAsAFailure() throws Exception {
        try (ImapClient imap = new ImapClient(james.imapPort())) {
            // James closes the connection after three failed logins: referrals are not failures
            for (int i = 1; i <= 3; i++) {
                assertThat(imap.login("dave@example.org", "dave-secret")).isEqualTo("a" + i + " NO " + REFERRAL + " LOGIN " + ELSEWHERE);
            }
            // still not logged in: no mailbox was opened here
            assertThat(imap.command("SELECT INBOX")).isEqualTo("a4 NO SELECT failed. Command not valid in this state.");
            assertThat(imap.login("alice@example.org", "alice-secret")).isEqualTo("a5 OK LOGIN completed.");
        }
    }

    @Test
    void imapAuthenticateShouldAnswerALoginReferral() throws Exception {
        try (ImapClient imap = new ImapClient(james.imapPort())) {
            assertThat(imap.authenticatePlain("dave@example.org", "dave-secret"))
                .isEqualTo("a1 NO " + REFERRAL + " AUTHENTICATE " + ELSEWHERE);
        }
    }

    @Test
    void imapShouldAnswerAsAlwaysWhenThePasswordIsWrongOrTheAccountIsOff() throws Exception {
        try (ImapClient imap = new ImapClient(james.imapPort())) {
            // nothing about the mailbox's host is told before the password is known to be right
            assertThat(imap.login("dave@example.org", "wrong")).isEqualTo("a1 NO LOGIN failed. Invalid login/password.");
            assertThat(imap.login("carol@example.org", "carol-secret")).isEqualTo("a2 NO LOGIN failed. Invalid login/password.");
        }
    }

    @Test
    void pop3ShouldAnswerSysPermNamingTheHost() throws Exception {
        try (Pop3Client pop = new Pop3Client(james.pop3Port())) {
            assertThat(pop.login("dave@example.org", "dave-secret"))
                .isEqualTo("-ERR [SYS/PERM] the mailbox of this account is on mail2.example.org: connect there");
        }
        try (Pop3Client pop = new Pop3Client(james.pop3Port())) {
            assertThat(pop.login("alice@example.org", "alice-secret")).startsWith("+OK");
        }
    }

    @Test
    void auditLineAndMetricsShouldNameTheHostWhenTheMailboxIsElsewhere() throws Exception {
        MetricsProbe metrics = james.server().getProbe(MetricsProbe.class);
        long before = metrics.counter("jamespack.auth.mailhost.mail2.example.org");
        int seen = AUDIT.list.size();
        try (ImapClient imap = new ImapClient(james.imapPort())) {
            imap.login("dave@example.org", "dave-secret");
        }
        assertThat(metrics.counter("jamespack.auth.mailhost.mail2.example.org")).isEqualTo(before + 1);
        List<String> lines = AUDIT.list.subList(seen, AUDIT.list.size()).stream().map(ILoggingEvent::getFormattedMessage).toList();
        assertThat(lines).anySatisfy(line -> assertThat(line)
            .startsWith("login=dave@example.org protocol=imap ")
            .contains("verdict=ACCEPTED", "mailhost=mail2.example.org"));
    }
}
