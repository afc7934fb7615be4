package org.jamespack.it.relay;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import jakarta.mail.internet.MimeMessage;

import org.jamespack.it.clients.SmtpClient;
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
 * Whose account a message may use, through a real James 3.8.1: the envelope sender picks the route, so the relay
 * must check that the submitter James authenticated owns that sender (issue 12, item 7). James here is set up as
 * the unsafe samples were — {@code verifyIdentity=false} and loopback an authorised network — so that every forged
 * message reaches the relay and the relay alone must refuse it. Real parts: James' SMTP server and mailet container,
 * mock-oauth2-server issuing client-credentials tokens per tenant, GreenMail smarthosts behind STARTTLS fronts that
 * introspect every token. Token upkeep is off, so a token is fetched only for mail that goes out: counting the token
 * endpoint's calls per tenant shows whose credential was touched.
 */
class RelayIdentityTest {

    private static final String PASSWORD = "submit-secret";
    private static final String REFUSED = "memory://var/mail/relay-denied/";

    @TempDir
    static Path dir;

    private static TestCa ca;
    private static MockOAuth2Server oauth;
    private static GreenMail smarthostA;
    private static GreenMail smarthostB;
    private static SmtpFront frontA;
    private static SmtpFront frontB;
    private static final RelayFixtures.Introspector INTROSPECT = new RelayFixtures.Introspector();
    private static final List<String> TOKEN_CALLS = Collections.synchronizedList(new ArrayList<>());
    private static RelayJames james;

    @BeforeAll
    static void start() throws Exception {
        ca = TestCa.create("localhost");
        oauth = new MockOAuth2Server();
        oauth.start();
        smarthostA = greenMail();
        smarthostB = greenMail();
        frontA = new SmtpFront(SmtpFront.Mode.STARTTLS, ca.serverContext(), smarthostA.getSmtp().getPort())
            .dovecotStyleAuth(INTROSPECT::active);
        frontB = new SmtpFront(SmtpFront.Mode.STARTTLS, ca.serverContext(), smarthostB.getSmtp().getPort())
            .dovecotStyleAuth(INTROSPECT::active);
        Path trust = ca.writeTrustStore(dir.resolve("trust.p12"));
        Path sources = Files.writeString(dir.resolve("token-sources.xml"), "<tokenSources>\n"
            + tokenSource("tenant-a", "relay@a.example")
            + tokenSource("tenant-b", "relay@b.example")
            + tokenSource("tenant-s", "shared@s.example")
            + tokenSource("tenant-l", "relay@l.example")
            + "</tokenSources>\n");
        String relay = "      <mailet match=\"org.jamespack.relay.SenderHasRoute=a.example, b.example, shared@s.example, l.example\" "
            + "class=\"org.jamespack.relay.XOAuth2Relay\">\n"
            + "        <routes>\n"
            + "          a.example: host=localhost::" + frontA.port() + " helo=james.test user=relay@a.example oauth=tenant-a\n"
            + "          b.example: host=localhost::" + frontB.port() + " helo=james.test user=relay@b.example oauth=tenant-b\n"
            // a shared mailbox: the route names who may send as it
            + "          shared@s.example: host=localhost::" + frontA.port() + " helo=james.test user=shared@s.example oauth=tenant-s"
            + " submitters=alice@a.example\n"
            // a domain whose mail comes from local processes (cron jobs, an application) without SMTP AUTH
            + "          l.example: host=localhost::" + frontA.port() + " helo=james.test user=relay@l.example oauth=tenant-l"
            + " unauthenticated=allow\n"
            + "        </routes>\n"
            + "        <tokenSourcesFile>" + sources + "</tokenSourcesFile>\n"
            + "        <trustStore>" + trust + "</trustStore>\n"
            + "        <trustStorePassword>" + new String(TestCa.PASSWORD) + "</trustStorePassword>\n"
            + "        <refusedProcessor>relay-denied</refusedProcessor>\n"
            + "        <bounceProcessor>bounces</bounceProcessor>\n"
            + "        <tokenUpkeep>0s</tokenUpkeep>\n"
            + "        <deliveryThreads>2</deliveryThreads>\n"
            + "        <idleTimeout>3s</idleTimeout>\n"
            + "      </mailet>\n";
        String bounces = "      <mailet match=\"All\" class=\"DSNBounce\"><passThrough>false</passThrough></mailet>\n";
        james = RelayJames.start(Files.createDirectories(dir.resolve("james")),
            List.of("a.example", "b.example", "s.example", "l.example"), relay, bounces, 2,
            // loopback may relay without AUTH, as the samples once allowed: the relay must not rely on SMTP refusing it
            xml -> xml.replace("<authorizedAddresses>192.0.2.1/32</authorizedAddresses>",
                "<authorizedAddresses>127.0.0.0/8</authorizedAddresses>"));
        james.addUser("alice@a.example", PASSWORD);
        james.addUser("bob@b.example", PASSWORD);
    }

    private static String tokenSource(String name, String clientId) {
        return "  <tokenSource name=\"" + name + "\" type=\"client-credentials\">\n"
            + "    <tokenEndpoint>" + oauth.tokenEndpointUrl(name) + "</tokenEndpoint>\n"
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
    }

    /** Calls the token endpoint of {@code tenant} has had so far (every request mock-oauth2-server recorded, drained). */
    private static long tokenCalls(String tenant) {
        while (true) {
            okhttp3.mockwebserver.RecordedRequest r;
            try {
                r = oauth.takeRequest(100, java.util.concurrent.TimeUnit.MILLISECONDS);
            } catch (RuntimeException e) {
                r = null;
            }
            if (r == null) {
                break;
            }
            TOKEN_CALLS.add(String.valueOf(r.getPath()));
        }
        synchronized (TOKEN_CALLS) {
            return TOKEN_CALLS.stream().filter(p -> p.endsWith("/" + tenant + "/token")).count();
        }
    }

    private static List<String> subjects(GreenMail smarthost) throws Exception {
        List<String> out = new ArrayList<>();
        for (MimeMessage m : smarthost.getReceivedMessages()) {
            out.add(m.getSubject());
        }
        return out;
    }

    /** What the relay refused so far: "sender | subject | reason" per message. */
    private static List<String> refused() throws Exception {
        return james.relay().repositoryMails(REFUSED);
    }

    @Test
    void aliceSendingAsBobShouldBeRefusedWithoutTouchingBobsTokenAndBobAsBobShouldGoOut() throws Exception {
        RelayFixtures.submit(james.smtpPort(), "alice@a.example", PASSWORD, "bob@b.example", List.of("friend@dest.example"),
            "alice as bob");

        Eventually.within(Duration.ofSeconds(20), () -> assertThat(refused()).anySatisfy(r ->
            assertThat(r).startsWith("bob@b.example | alice as bob | ")
                .contains("authenticated user alice@a.example does not own the sender address bob@b.example")));
        assertThat(tokenCalls("tenant-b")).as("bob's token endpoint never called for alice's mail").isZero();
        assertThat(frontB.authUsers()).as("no AUTH as bob's account").isEmpty();
        assertThat(subjects(smarthostB)).isEmpty();

        // the route itself works: bob, sending as himself, goes out through his account
        RelayFixtures.submit(james.smtpPort(), "bob@b.example", PASSWORD, "bob@b.example", List.of("friend@dest.example"),
            "bob as bob");
        Eventually.within(Duration.ofSeconds(20), () -> assertThat(subjects(smarthostB)).containsExactly("bob as bob"));
        assertThat(frontB.authUsers()).containsOnly("relay@b.example");
        assertThat(tokenCalls("tenant-b")).isEqualTo(1);
        assertThat(refused()).noneMatch(r -> r.contains("bob as bob"));
    }

    @Test
    void aliceSendingAsAliceShouldGoOutThroughHerDomainsAccount() throws Exception {
        RelayFixtures.submit(james.smtpPort(), "alice@a.example", PASSWORD, "alice@a.example", List.of("friend@dest.example"),
            "alice as alice");

        Eventually.within(Duration.ofSeconds(20), () -> assertThat(subjects(smarthostA)).contains("alice as alice"));
        assertThat(frontA.authUsers()).contains("relay@a.example");
        assertThat(refused()).noneMatch(r -> r.contains("alice as alice"));
    }

    @Test
    void anUnauthenticatedLocalSubmissionShouldNotGoOutThroughAnAccountUnlessTheRouteAllowsIt() throws Exception {
        submitWithoutAuth("alice@a.example", "local process as alice");
        submitWithoutAuth("cron@l.example", "local process of l.example");

        Eventually.within(Duration.ofSeconds(20), () -> assertThat(refused()).anySatisfy(r ->
            assertThat(r).startsWith("alice@a.example | local process as alice | ").contains("not submitted by an authenticated user")));
        Eventually.within(Duration.ofSeconds(20), () -> assertThat(subjects(smarthostA)).contains("local process of l.example"));
        assertThat(subjects(smarthostA)).doesNotContain("local process as alice");
        assertThat(frontA.authUsers()).contains("relay@l.example");
    }

    @Test
    void aRouteNamingItsSubmittersShouldTakeThemAndOnlyThem() throws Exception {
        RelayFixtures.submit(james.smtpPort(), "alice@a.example", PASSWORD, "shared@s.example", List.of("friend@dest.example"),
            "alice as the shared mailbox");
        RelayFixtures.submit(james.smtpPort(), "bob@b.example", PASSWORD, "shared@s.example", List.of("friend@dest.example"),
            "bob as the shared mailbox");

        Eventually.within(Duration.ofSeconds(20), () -> assertThat(subjects(smarthostA)).contains("alice as the shared mailbox"));
        Eventually.within(Duration.ofSeconds(20), () -> assertThat(refused()).anySatisfy(r ->
            assertThat(r).startsWith("shared@s.example | bob as the shared mailbox | ")
                .contains("bob@b.example is not among the submitters of route 'shared@s.example'")));
        assertThat(subjects(smarthostA)).doesNotContain("bob as the shared mailbox");
        assertThat(frontA.authUsers()).contains("shared@s.example");
    }

    /** A local process's submission: loopback is an authorised network here, so no AUTH is needed to relay. */
    private static void submitWithoutAuth(String from, String subject) throws Exception {
        try (SmtpClient smtp = new SmtpClient(james.smtpPort())) {
            smtp.ehlo();
            assertThat(smtp.command("MAIL FROM:<" + from + ">")).startsWith("250");
            assertThat(smtp.command("RCPT TO:<friend@dest.example>")).startsWith("250");
            assertThat(smtp.command("DATA")).startsWith("354");
            smtp.send("From: <" + from + ">");
            smtp.send("Subject: " + subject);
            smtp.send("");
            smtp.send("from a local process");
            assertThat(smtp.command(".")).startsWith("250");
            smtp.quit();
        }
    }
}
