package org.jamespack.it.ldap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.stream.Stream;

import org.apache.james.utils.DataProbeImpl;
import org.slf4j.LoggerFactory;
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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.read.ListAppender;

/**
 * Directory mode with LDAP rebind, through a real James 3.8.1: the directory is James' user
 * base, and SMTP AUTH, IMAP LOGIN and POP3 USER/PASS all end in the pack's verifier.
 */
class LdapRebindDirectoryModeTest {

    // started before James (static initialisers run in order), so that its port can be configured
    static final InMemoryLdap LDAP = InMemoryLdap.start();

    static {
        LDAP.addUser("alice", "alice@example.org", "alice-secret");
        LDAP.addSshaUser("bob", "bob@example.org", "bob-secret");
        LDAP.addUser("carol", "carol@example.org", "carol-secret", Optional.of("disabled"));
    }

    @RegisterExtension
    static PackJamesExtension james = PackJamesExtension.builder()
        .usersRepositoryXml(() -> PackXml.usersRepository("directory", PackXml.ldap(LDAP, "rebind", "")))
        .build();

    /** Every log event of this class's James, to prove that no password reaches a log line. */
    static final ListAppender<ILoggingEvent> LOGS = new ListAppender<>();

    static {
        LOGS.start();
        ((Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME)).addAppender(LOGS);
    }

    @AfterAll
    static void stopDirectory() {
        ((Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME)).detachAppender(LOGS);
        LDAP.close();
        assertThat(LOGS.list).as("log events seen").isNotEmpty();
        for (ILoggingEvent event : LOGS.list) {
            StringBuilder text = new StringBuilder(event.getFormattedMessage());
            for (IThrowableProxy t = event.getThrowableProxy(); t != null; t = t.getCause()) {
                text.append(' ').append(t.getMessage());
            }
            assertThat(text.toString()).as(event.getLoggerName())
                .doesNotContain("alice-secret", "bob-secret", "carol-secret", InMemoryLdap.SERVICE_PASSWORD);
        }
    }

    @Test
    void ehloShouldAnnounceAuthWhenClientIsLoopback() throws Exception {
        try (SmtpClient smtp = new SmtpClient(james.smtpPort())) {
            assertThat(smtp.ehlo()).anyMatch(l -> l.matches("250.AUTH .*PLAIN.*") && l.contains("LOGIN"));
        }
    }

    @Test
    void smtpAuthPlainShouldAnswer235AndAllowRelayingWhenPasswordRight() throws Exception {
        try (SmtpClient smtp = new SmtpClient(james.smtpPort())) {
            smtp.ehlo();
            assertThat(smtp.authPlain("alice@example.org", "alice-secret")).isEqualTo("235 Authentication Successful");
            assertThat(smtp.command("MAIL FROM:<alice@example.org>")).startsWith("250");
            assertThat(smtp.command("RCPT TO:<someone@remote.example>")).startsWith("250");
        }
    }

    @Test
    void smtpShouldRefuseRelayingWhenNotAuthenticated() throws Exception {
        try (SmtpClient smtp = new SmtpClient(james.smtpPort())) {
            smtp.ehlo();
            assertThat(smtp.command("MAIL FROM:<alice@example.org>")).startsWith("250");
            assertThat(smtp.command("RCPT TO:<someone@remote.example>")).startsWith("5");
        }
    }

    @Test
    void smtpAuthPlainShouldAnswer235WhenPasswordStoredAsSsha() throws Exception {
        try (SmtpClient smtp = new SmtpClient(james.smtpPort())) {
            smtp.ehlo();
            assertThat(smtp.authPlain("bob@example.org", "bob-secret")).isEqualTo("235 Authentication Successful");
        }
    }

    @Test
    void smtpAuthPlainShouldAnswer535WhenPasswordWrongUserUnknownOrAccountDisabled() throws Exception {
        for (String[] attempt : new String[][] {
            {"alice@example.org", "wrong"}, {"nobody@example.org", "alice-secret"}, {"carol@example.org", "carol-secret"}}) {
            try (SmtpClient smtp = new SmtpClient(james.smtpPort())) {
                smtp.ehlo();
                assertThat(smtp.authPlain(attempt[0], attempt[1])).as(attempt[0])
                    .isEqualTo("535 5.7.8 Authentication credentials invalid");
            }
        }
    }

    @Test
    void smtpAuthLoginShouldAnswer235Or535AsThePasswordIs() throws Exception {
        try (SmtpClient smtp = new SmtpClient(james.smtpPort())) {
            smtp.ehlo();
            assertThat(smtp.authLogin("alice@example.org", "wrong")).isEqualTo("535 5.7.8 Authentication credentials invalid");
            assertThat(smtp.authLogin("alice@example.org", "alice-secret")).isEqualTo("235 Authentication Successful");
        }
    }

    @Test
    void imapLoginShouldSucceedOnlyWithTheDirectoryPassword() throws Exception {
        try (ImapClient imap = new ImapClient(james.imapPort())) {
            assertThat(imap.login("alice@example.org", "wrong")).isEqualTo("a1 NO LOGIN failed. Invalid login/password.");
            assertThat(imap.login("carol@example.org", "carol-secret")).isEqualTo("a2 NO LOGIN failed. Invalid login/password.");
            assertThat(imap.login("bob@example.org", "bob-secret")).isEqualTo("a3 OK LOGIN completed.");
            assertThat(imap.command("SELECT INBOX")).startsWith("a4 OK");
        }
    }

    @Test
    void imapAuthenticatePlainShouldSucceedOnlyWithTheDirectoryPassword() throws Exception {
        try (ImapClient imap = new ImapClient(james.imapPort())) {
            assertThat(imap.authenticatePlain("alice@example.org", "wrong")).startsWith("a1 NO");
            assertThat(imap.authenticatePlain("alice@example.org", "alice-secret")).startsWith("a2 OK");
        }
    }

    @Test
    void pop3PassShouldSucceedOnlyWithTheDirectoryPassword() throws Exception {
        try (Pop3Client pop = new Pop3Client(james.pop3Port())) {
            assertThat(pop.login("alice@example.org", "wrong")).isEqualTo("-ERR Authentication failed.");
        }
        try (Pop3Client pop = new Pop3Client(james.pop3Port())) {
            assertThat(pop.login("alice@example.org", "alice-secret")).startsWith("+OK");
            assertThat(pop.command("STAT")).startsWith("+OK");
        }
    }

    @Test
    void usersRepositoryShouldListTheDirectoryAndRefuseWrites() throws Exception {
        DataProbeImpl probe = james.server().getProbe(DataProbeImpl.class);
        assertThat(probe.listUsers()).contains("alice@example.org", "bob@example.org", "carol@example.org");
        assertThatThrownBy(() -> probe.addUser("dave@example.org", "x"))
            .hasStackTraceContaining("users live in the directory");
    }

    @Test
    void loginsShouldFailTemporarilyWhileDirectoryIsDownThenRecover() throws Exception {
        LDAP.pause();
        try {
            try (SmtpClient smtp = new SmtpClient(james.smtpPort())) {
                smtp.ehlo();
                assertThat(smtp.authPlain("alice@example.org", "alice-secret")).isEqualTo("454 4.7.0 Temporary authentication failure");
                assertThat(smtp.authLogin("alice@example.org", "alice-secret")).isEqualTo("454 4.7.0 Temporary authentication failure");
                // a wrong password is not told apart while the directory cannot answer
                assertThat(smtp.authPlain("alice@example.org", "wrong")).isEqualTo("454 4.7.0 Temporary authentication failure");
            }
            try (ImapClient imap = new ImapClient(james.imapPort())) {
                assertThat(imap.login("alice@example.org", "alice-secret")).isEqualTo("a1 NO LOGIN processing failed.");
            }
            try (Pop3Client pop = new Pop3Client(james.pop3Port())) {
                assertThat(pop.login("alice@example.org", "alice-secret")).startsWith("-ERR Unexpected error");
            }
        } finally {
            LDAP.resume();
        }
        Eventually.within(Duration.ofSeconds(10), () -> {
            try (SmtpClient smtp = new SmtpClient(james.smtpPort())) {
                smtp.ehlo();
                assertThat(smtp.authPlain("alice@example.org", "alice-secret")).isEqualTo("235 Authentication Successful");
            }
        });
        try (ImapClient imap = new ImapClient(james.imapPort())) {
            assertThat(imap.login("alice@example.org", "alice-secret")).isEqualTo("a1 OK LOGIN completed.");
        }
        try (Pop3Client pop = new Pop3Client(james.pop3Port())) {
            assertThat(pop.login("alice@example.org", "alice-secret")).startsWith("+OK");
        }
    }

    static Stream<Arguments> hostileAuthPlainResponses() {
        String big = "a".repeat(64 * 1024);
        return Stream.of(
            Arguments.of("login *", plain("*", "alice-secret")),
            Arguments.of("login and password *", plain("*", "*")),
            Arguments.of("password *", plain("alice@example.org", "*")),
            Arguments.of("filter injection", plain("*)(mail=alice@example.org", "alice-secret")),
            Arguments.of("filter injection 2", plain("alice@example.org)(|(objectClass=*", "alice-secret")),
            Arguments.of("wildcard login", plain("alice*", "alice-secret")),
            Arguments.of("parenthesised filter", plain("(mail=alice@example.org)", "alice-secret")),
            Arguments.of("DN as login", plain("uid=alice,ou=people," + InMemoryLdap.BASE_DN, "alice-secret")),
            Arguments.of("service DN and password", plain(InMemoryLdap.SERVICE_DN, InMemoryLdap.SERVICE_PASSWORD)),
            Arguments.of("empty password", plain("alice@example.org", "")),
            Arguments.of("empty login and password", plain("", "")),
            Arguments.of("NUL in password", plain("alice@example.org", "alice-se\0cret")),
            Arguments.of("NUL in login", plain("alice@example.org\0x", "alice-secret")),
            Arguments.of("64 KiB login", plain(big, "alice-secret")),
            Arguments.of("64 KiB password", plain("alice@example.org", big)),
            Arguments.of("non-UTF-8 password", concat(plain("alice@example.org", ""), new byte[] {(byte) 0xff, (byte) 0xfe, 'a'})),
            Arguments.of("overlong UTF-8 login", concat(new byte[] {0, 'a', (byte) 0xc0, (byte) 0xaf, 0}, "alice-secret".getBytes(StandardCharsets.UTF_8))),
            Arguments.of("disabled account", plain("carol@example.org", "carol-secret")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("hostileAuthPlainResponses")
    void smtpAuthPlainShouldNeverLogInWhenInputIsHostile(String what, byte[] response) throws Exception {
        try (SmtpClient smtp = new SmtpClient(james.smtpPort())) {
            smtp.ehlo();
            String reply = smtp.authPlainBytes(response);
            assertThat(reply).as(what).doesNotStartWith("2").doesNotStartWith("4");
            // the session is not authenticated: relaying stays refused
            if (!reply.startsWith("<connection closed>")) {
                assertThat(smtp.command("MAIL FROM:<alice@example.org>")).as(what).startsWith("250");
                assertThat(smtp.command("RCPT TO:<someone@remote.example>")).as(what).startsWith("5");
            }
        }
    }

    @Test
    void smtpAuthPlainShouldNeverLogInWhenResponseIsNotBase64OrCancelled() throws Exception {
        try (SmtpClient smtp = new SmtpClient(james.smtpPort())) {
            smtp.ehlo();
            assertThat(smtp.command("AUTH PLAIN ====")).startsWith("5");
            assertThat(smtp.command("AUTH PLAIN *")).startsWith("5");
            assertThat(smtp.command("RCPT TO:<someone@remote.example>")).startsWith("5");
        }
    }

    private static byte[] plain(String login, String password) {
        return ("\0" + login + "\0" + password).getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(a);
        out.writeBytes(b);
        return out.toByteArray();
    }
}
