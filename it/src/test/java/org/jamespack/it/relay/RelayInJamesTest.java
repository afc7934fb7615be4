package org.jamespack.it.relay;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import jakarta.mail.internet.MimeMessage;

import org.jamespack.it.clients.ImapClient;
import org.jamespack.it.james.Eventually;
import org.jamespack.relay.testing.SmtpFront;
import org.jamespack.relay.testing.TestCa;
import org.jamespack.testing.ReservedPort;
import org.jamespack.testing.TestPorts;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import no.nav.security.mock.oauth2.MockOAuth2Server;

/**
 * The relay inside a real James 3.8.1 (memory server, one start for the class): mail submitted by
 * SMTP with AUTH goes through James' {@code transport} processor, where {@code SenderHasRoute} +
 * {@code XOAuth2Relay} pick the smarthost and the account by sender domain. Real parts only:
 * mock-oauth2-server issues client-credentials tokens, two GreenMail smarthosts sit behind
 * STARTTLS fronts with a CA made here and check each token by introspection (as Dovecot does).
 */
class RelayInJamesTest {

    private static final String PASSWORD = "submit-secret";

    @TempDir
    static Path dir;

    private static TestCa ca;
    private static MockOAuth2Server oauth;
    private static MockOAuth2Server lateOauth;
    private static MockOAuth2Server expiringOauth;
    private static com.sun.net.httpserver.HttpServer invalidGrant;
    private static final java.util.concurrent.atomic.AtomicInteger INVALID_GRANT_CALLS = new java.util.concurrent.atomic.AtomicInteger();
    private static final ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> LOGS =
        new ch.qos.logback.core.read.ListAppender<>();
    /** Reserved, not bound, until the late token endpoint starts on it mid-test. */
    private static ReservedPort lateOauthPort;
    private static GreenMail smarthostA;
    private static GreenMail smarthostB;
    private static SmtpFront frontA;
    private static SmtpFront frontB;
    private static final RelayFixtures.Introspector INTROSPECT_A = new RelayFixtures.Introspector();
    private static final RelayFixtures.Introspector INTROSPECT_B = new RelayFixtures.Introspector();
    private static RelayJames james;

    @BeforeAll
    static void start() throws Exception {
        LOGS.start();
        ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).addAppender(LOGS);
        ca = TestCa.create("localhost");
        oauth = new MockOAuth2Server();
        oauth.start();
        expiringOauth = new MockOAuth2Server();
        expiringOauth.start();
        // e.example's first token lives 605 s: with the 10-minute refresh window it is stale 5 s after it was issued
        // (issued when the relay starts: its token upkeep fetches tokens ahead of mail)
        expiringOauth.enqueueCallback(new no.nav.security.mock.oauth2.token.DefaultOAuth2TokenCallback("tenant-e", "relay@e.example",
            "JWT", List.of("https://outlook.office.com"), java.util.Map.of(), 605L));
        // a token endpoint that refuses the grant for good, as Entra ID does for a revoked refresh token or secret
        invalidGrant = com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        invalidGrant.createContext("/token", exchange -> {
            INVALID_GRANT_CALLS.incrementAndGet();
            exchange.getRequestBody().readAllBytes();
            byte[] body = "{\"error\":\"invalid_grant\",\"error_description\":\"AADSTS7000222: The provided client secret keys are expired.\"}"
                .getBytes(java.nio.charset.StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(400, body.length);
            try (java.io.OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        invalidGrant.start();
        lateOauthPort = TestPorts.reserve();
        smarthostA = greenMail();
        smarthostB = greenMail();
        frontA = new SmtpFront(SmtpFront.Mode.STARTTLS, ca.serverContext(), smarthostA.getSmtp().getPort())
            .dovecotStyleAuth(INTROSPECT_A::active);
        frontB = new SmtpFront(SmtpFront.Mode.STARTTLS, ca.serverContext(), smarthostB.getSmtp().getPort())
            .dovecotStyleAuth(INTROSPECT_B::active);
        frontA.rule("^RCPT TO:<retry@dest\\.example>", "451 4.3.0 Mail server temporarily rejected message", 1);
        frontA.rule("^RCPT TO:<nobody@dest\\.example>", "550 5.1.1 <nobody@dest.example>: Recipient address rejected: User unknown", -1);

        Path trust = ca.writeTrustStore(dir.resolve("trust.p12"));
        Path sources = Files.writeString(dir.resolve("token-sources.xml"), "<tokenSources>\n"
            + tokenSource("tenant-a", oauth.tokenEndpointUrl("tenant-a").toString(), "relay@a.example")
            + tokenSource("tenant-b", oauth.tokenEndpointUrl("tenant-b").toString(), "relay@b.example")
            // an OAuth2 server that is down when the test starts
            + tokenSource("tenant-c", "http://localhost:" + lateOauthPort.number() + "/tenant-c/token", "relay@c.example")
            + tokenSource("tenant-d", "http://127.0.0.1:" + invalidGrant.getAddress().getPort() + "/token", "relay@d.example")
            + tokenSource("tenant-e", expiringOauth.tokenEndpointUrl("tenant-e").toString(), "relay@e.example")
            + "</tokenSources>\n");
        String relay = "      <mailet match=\"org.jamespack.relay.SenderHasRoute=a.example, b.example, c.example, d.example, e.example\" "
            + "class=\"org.jamespack.relay.XOAuth2Relay\">\n"
            + "        <routes>\n"
            + "          a.example: host=localhost::" + frontA.port() + " helo=james.test user=relay@a.example oauth=tenant-a\n"
            + "          b.example: host=localhost::" + frontB.port() + " helo=james.test user=relay@b.example oauth=tenant-b\n"
            + "          c.example: host=localhost::" + frontA.port() + " helo=james.test user=relay@c.example oauth=tenant-c\n"
            + "          d.example: host=localhost::" + frontA.port() + " helo=james.test user=relay@d.example oauth=tenant-d\n"
            + "          e.example: host=localhost::" + frontA.port() + " helo=james.test user=relay@e.example oauth=tenant-e\n"
            + "        </routes>\n"
            + "        <tokenSourcesFile>" + sources + "</tokenSourcesFile>\n"
            + "        <trustStore>" + trust + "</trustStore>\n"
            + "        <trustStorePassword>" + new String(TestCa.PASSWORD) + "</trustStorePassword>\n"
            + "        <journal>file://var/mail/xoauth2-relay/</journal>\n"
            + "        <bounceProcessor>bounces</bounceProcessor>\n"
            + "        <retrySchedule>F,10m,2s</retrySchedule>\n"
            + "        <backOff>1s</backOff>\n"
            + "        <backOffMax>2s</backOffMax>\n"
            + "        <deliveryThreads>2</deliveryThreads>\n"
            + "        <idleTimeout>3s</idleTimeout>\n"
            + "        <tokenConnectTimeout>2s</tokenConnectTimeout>\n"
            + "      </mailet>\n"
            + "      <mailet match=\"SMTPAuthSuccessful\" class=\"RemoteDelivery\">\n"
            + "        <outgoing>outgoing</outgoing>\n"
            + "        <delayTime>5000, 100000, 500000</delayTime>\n"
            + "        <maxRetries>3</maxRetries>\n"
            + "        <bounceProcessor>bounces</bounceProcessor>\n"
            + "      </mailet>\n";
        String bounces = "      <mailet match=\"All\" class=\"DSNBounce\"><passThrough>false</passThrough></mailet>\n";
        james = RelayJames.start(Files.createDirectories(dir.resolve("james")), List.of("a.example", "b.example", "c.example", "d.example", "e.example"),
            relay, bounces);
        james.addUser("alice@a.example", PASSWORD);
        james.addUser("bob@b.example", PASSWORD);
        james.addUser("carol@c.example", PASSWORD);
        james.addUser("dave@d.example", PASSWORD);
        james.addUser("erin@e.example", PASSWORD);
    }

    private static String tokenSource(String name, String endpoint, String clientId) {
        return "  <tokenSource name=\"" + name + "\" type=\"client-credentials\">\n"
            + "    <tokenEndpoint>" + endpoint + "</tokenEndpoint>\n"
            + "    <clientId>" + clientId + "</clientId>\n"
            + "    <clientSecret>client-secret-" + name + "</clientSecret>\n"
            + "  </tokenSource>\n";
    }

    private static GreenMail greenMail() {
        GreenMail gm = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP).dynamicPort());
        gm.start();
        return gm;
    }

    @AfterAll
    static void stop() throws Exception {
        if (james != null) {
            james.close();
        }
        frontA.close();
        frontB.close();
        smarthostA.stop();
        smarthostB.stop();
        oauth.shutdown();
        if (lateOauth != null) {
            lateOauth.shutdown();
        }
        lateOauthPort.close();
        expiringOauth.shutdown();
        invalidGrant.stop(0);
        ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).detachAppender(LOGS);
        for (ch.qos.logback.classic.spi.ILoggingEvent e : LOGS.list) {
            assertThat(e.getFormattedMessage()).as("no client secret in a log line").doesNotContain("client-secret-");
        }
    }

    private static List<String> subjects(GreenMail smarthost) {
        List<String> out = new ArrayList<>();
        for (MimeMessage m : smarthost.getReceivedMessages()) {
            try {
                out.add(m.getSubject());
            } catch (jakarta.mail.MessagingException e) {
                throw new IllegalStateException(e);
            }
        }
        return out;
    }

    @Test
    void mailShouldReachTheSmarthostOfItsSenderDomainAsThatDomainsAccount() throws Exception {
        RelayFixtures.submit(james.smtpPort(), "alice@a.example", PASSWORD, "alice@a.example", List.of("friend@dest.example"),
            "routing from a");
        RelayFixtures.submit(james.smtpPort(), "bob@b.example", PASSWORD, "bob@b.example", List.of("friend@dest.example"),
            "routing from b");

        Eventually.within(Duration.ofSeconds(20), () -> {
            assertThat(subjects(smarthostA)).contains("routing from a").doesNotContain("routing from b");
            assertThat(subjects(smarthostB)).contains("routing from b").doesNotContain("routing from a");
        });
        assertThat(frontA.authUsers()).contains("relay@a.example").doesNotContain("relay@b.example");
        assertThat(frontB.authUsers()).containsOnly("relay@b.example");
        assertThat(INTROSPECT_B.acceptedIssuers()).allMatch(i -> i.endsWith("/tenant-b")).isNotEmpty();
        assertThat(INTROSPECT_A.acceptedIssuers()).anyMatch(i -> i.endsWith("/tenant-a")).noneMatch(i -> i.endsWith("/tenant-b"));
        assertThat(frontB.commands()).contains("STARTTLS", "MAIL FROM:<bob@b.example>");
    }

    @Test
    void aSmarthost4xxShouldBeRetriedUntilTheRecipientIsAccepted() throws Exception {
        RelayFixtures.submit(james.smtpPort(), "alice@a.example", PASSWORD, "alice@a.example", List.of("retry@dest.example"),
            "retried after 451");

        Eventually.within(Duration.ofSeconds(30), () -> assertThat(subjects(smarthostA)).contains("retried after 451"));
        assertThat(frontA.commands()).filteredOn("RCPT TO:<retry@dest.example>"::equals).hasSize(2);
    }

    @Test
    void aRecipientRefusedWith5xxShouldProduceADsnToTheSenderAndTheOthersShouldBeDelivered() throws Exception {
        RelayFixtures.submit(james.smtpPort(), "alice@a.example", PASSWORD, "alice@a.example",
            List.of("nobody@dest.example", "somebody@dest.example"), "one refused recipient");

        Eventually.within(Duration.ofSeconds(20), () -> assertThat(subjects(smarthostA)).contains("one refused recipient"));
        Eventually.within(Duration.ofSeconds(20), () -> {
            String dsn = fetchFirstInboxMessage("alice@a.example");
            assertThat(dsn).contains("nobody@dest.example").contains("5.1.1").contains("one refused recipient")
                .doesNotContain("Final-Recipient: rfc822; somebody@dest.example");
        });
    }

    @Test
    void mailShouldStayQueuedWhileTheTokenEndpointIsDownAndGoOutWhenItIsBack() throws Exception {
        RelayFixtures.submit(james.smtpPort(), "carol@c.example", PASSWORD, "carol@c.example", List.of("friend@dest.example"),
            "waits for the token endpoint");

        Thread.sleep(5000);
        assertThat(subjects(smarthostA)).doesNotContain("waits for the token endpoint");
        assertThat(frontA.authUsers()).doesNotContain("relay@c.example");

        lateOauth = new MockOAuth2Server();
        lateOauth.start(lateOauthPort.number());

        Eventually.within(Duration.ofSeconds(30), () -> assertThat(subjects(smarthostA)).contains("waits for the token endpoint"));
        assertThat(frontA.authUsers()).contains("relay@c.example");
    }

    @Test
    void invalidGrantShouldKeepTheMailQueuedAndShowTheBrokenAccount() throws Exception {
        RelayFixtures.submit(james.smtpPort(), "dave@d.example", PASSWORD, "dave@d.example", List.of("friend@dest.example"),
            "blocked by invalid_grant");

        Eventually.within(Duration.ofSeconds(20), () -> assertThat(james.relay().unhealthy()).containsKey("relay@d.example"));
        assertThat(james.relay().unhealthy().get("relay@d.example")).contains("invalid_grant");
        Eventually.within(Duration.ofSeconds(10), () -> assertThat(james.relay().queuedSenders()).contains("dave@d.example"));
        assertThat(LOGS.list).anyMatch(e -> e.getLevel() == ch.qos.logback.classic.Level.ERROR
            && e.getFormattedMessage().contains("RELAY CREDENTIAL BROKEN") && e.getFormattedMessage().contains("invalid_grant"));
        Thread.sleep(3000);
        assertThat(INVALID_GRANT_CALLS.get()).as("a refused grant is not asked again and again").isEqualTo(1);
        assertThat(subjects(smarthostA)).doesNotContain("blocked by invalid_grant");
        assertThat(frontA.authUsers()).doesNotContain("relay@d.example");
    }

    @Test
    void aTokenExpiringMidRunShouldBeRefreshedExactlyOnce() throws Exception {
        RelayFixtures.submit(james.smtpPort(), "erin@e.example", PASSWORD, "erin@e.example", List.of("friend@dest.example"),
            "before expiry");
        Eventually.within(Duration.ofSeconds(20), () -> assertThat(subjects(smarthostA)).contains("before expiry"));
        Thread.sleep(6000);
        RelayFixtures.submit(james.smtpPort(), "erin@e.example", PASSWORD, "erin@e.example", List.of("friend@dest.example"),
            "after expiry 1");
        RelayFixtures.submit(james.smtpPort(), "erin@e.example", PASSWORD, "erin@e.example", List.of("friend@dest.example"),
            "after expiry 2");

        Eventually.within(Duration.ofSeconds(20), () -> assertThat(subjects(smarthostA)).contains("after expiry 1", "after expiry 2"));
        int tokenCalls = 0;
        for (okhttp3.mockwebserver.RecordedRequest r = takeRequest(expiringOauth); r != null; r = takeRequest(expiringOauth)) {
            if (String.valueOf(r.getPath()).endsWith("/tenant-e/token")) {
                tokenCalls++;
            }
        }
        assertThat(tokenCalls).as("the first (short-lived) token, then exactly one refresh").isEqualTo(2);
        assertThat(frontA.authUsers()).filteredOn("relay@e.example"::equals).as("a new connection presents the new token")
            .hasSizeGreaterThanOrEqualTo(2);
    }

    private static okhttp3.mockwebserver.RecordedRequest takeRequest(MockOAuth2Server server) {
        try {
            return server.takeRequest(200, java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** The whole first message of {@code user}'s INBOX, read over IMAP. */
    private static String fetchFirstInboxMessage(String user) throws Exception {
        try (ImapClient imap = new ImapClient(james.imapPort())) {
            assertThat(imap.login(user, PASSWORD)).contains("OK");
            assertThat(imap.command("SELECT INBOX")).contains("OK");
            imap.send("f1 FETCH 1 BODY[]");
            StringBuilder body = new StringBuilder();
            String line;
            while ((line = imap.readLine()) != null && !line.startsWith("f1 ")) {
                body.append(line).append('\n');
            }
            assertThat(line).as("FETCH answer " + Arrays.toString(body.toString().lines().limit(3).toArray())).startsWith("f1 OK");
            return body.toString();
        }
    }
}
