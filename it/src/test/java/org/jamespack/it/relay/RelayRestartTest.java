package org.jamespack.it.relay;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.jamespack.it.james.Eventually;
import org.jamespack.relay.testing.SmtpFront;
import org.jamespack.relay.testing.TestCa;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import no.nav.security.mock.oauth2.MockOAuth2Server;

/**
 * James restarted with mail in the relay's queue: the memory server's mail queue dies with it,
 * the relay's journal (a {@code file://} mail repository under James' {@code var/}) does not, and
 * the new James's relay queues its content again at start-up.
 */
class RelayRestartTest {

    private static final String PASSWORD = "submit-secret";

    @TempDir
    static Path dir;

    private static MockOAuth2Server oauth;
    private static GreenMail smarthost;
    private static SmtpFront front;
    private static RelayJames james;

    @BeforeAll
    static void start() throws Exception {
        TestCa ca = TestCa.create("localhost");
        oauth = new MockOAuth2Server();
        oauth.start();
        smarthost = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP).dynamicPort());
        smarthost.start();
        RelayFixtures.Introspector introspector = new RelayFixtures.Introspector();
        front = new SmtpFront(SmtpFront.Mode.STARTTLS, ca.serverContext(), smarthost.getSmtp().getPort())
            .dovecotStyleAuth(introspector::active)
            // the first attempt is deferred; with this schedule the next would be in 10 minutes
            .rule("^MAIL FROM:<alice@a\\.example>", "451 4.7.0 Temporary server error, try again later", 1);
        Path trust = ca.writeTrustStore(dir.resolve("trust.p12"));
        Path sources = Files.writeString(dir.resolve("token-sources.xml"), "<tokenSources>\n"
            + "  <tokenSource name=\"tenant-a\" type=\"client-credentials\">\n"
            + "    <tokenEndpoint>" + oauth.tokenEndpointUrl("tenant-a") + "</tokenEndpoint>\n"
            + "    <clientId>relay@a.example</clientId>\n"
            + "    <clientSecret>client-secret-a</clientSecret>\n"
            + "  </tokenSource>\n"
            + "</tokenSources>\n");
        String relay = "      <mailet match=\"org.jamespack.relay.SenderHasRoute=a.example\" class=\"org.jamespack.relay.XOAuth2Relay\">\n"
            + "        <routes>a.example: host=localhost::" + front.port() + " helo=james.test user=relay@a.example oauth=tenant-a</routes>\n"
            + "        <tokenSourcesFile>" + sources + "</tokenSourcesFile>\n"
            + "        <trustStore>" + trust + "</trustStore>\n"
            + "        <trustStorePassword>" + new String(TestCa.PASSWORD) + "</trustStorePassword>\n"
            + "        <journal>file://var/mail/xoauth2-relay/</journal>\n"
            + "        <retrySchedule>F,4h,10m</retrySchedule>\n"
            + "        <backOff>1s</backOff>\n"
            + "      </mailet>\n";
        james = RelayJames.start(Files.createDirectories(dir.resolve("james")), List.of("a.example"), relay,
            "      <mailet match=\"All\" class=\"Null\"/>\n");
        james.addUser("alice@a.example", PASSWORD);
    }

    @AfterAll
    static void stop() throws Exception {
        if (james != null) {
            james.close();
        }
        front.close();
        smarthost.stop();
        oauth.shutdown();
    }

    @Test
    void mailQueuedWhenJamesStopsShouldBeDeliveredAfterTheRestart() throws Exception {
        RelayFixtures.submit(james.smtpPort(), "alice@a.example", PASSWORD, "alice@a.example", List.of("friend@dest.example"),
            "survives a restart");
        Path journal = dir.resolve("james/var/mail/xoauth2-relay");
        Eventually.within(Duration.ofSeconds(20), () -> assertThat(front.commands()).contains("MAIL FROM:<alice@a.example>"));
        Thread.sleep(500);
        assertThat(smarthost.getReceivedMessages()).isEmpty();
        assertThat(journal).isDirectory();
        try (var files = Files.list(journal)) {
            assertThat(files.count()).as("the deferred message is in the journal").isPositive();
        }

        james.restart();

        Eventually.within(Duration.ofSeconds(30), () -> assertThat(smarthost.getReceivedMessages()).hasSize(1));
        assertThat(smarthost.getReceivedMessages()[0].getSubject()).isEqualTo("survives a restart");
        Eventually.within(Duration.ofSeconds(10), () -> {
            try (var files = Files.list(journal)) {
                assertThat(files.count()).as("delivered: gone from the journal").isZero();
            }
        });
    }
}
