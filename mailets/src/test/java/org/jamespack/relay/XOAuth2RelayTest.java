package org.jamespack.relay;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;

import org.apache.james.core.MailAddress;
import org.apache.james.core.builder.MimeMessageBuilder;
import org.apache.james.queue.api.ManageableMailQueue;
import org.apache.james.queue.api.MailQueueName;
import org.apache.james.queue.api.RawMailQueueItemDecoratorFactory;
import org.apache.james.lifecycle.api.LifecycleUtil;
import org.apache.james.queue.memory.MemoryMailQueueFactory;
import org.apache.mailet.Mail;
import org.apache.mailet.base.test.FakeMail;
import org.apache.mailet.base.test.FakeMailContext;
import org.apache.mailet.base.test.FakeMailetConfig;
import org.jamespack.relay.delivery.MailetBounces;
import org.jamespack.relay.delivery.RelayDelivery;
import org.jamespack.relay.delivery.TokenSources;
import org.jamespack.relay.testing.MockServerTokenSource;
import org.jamespack.relay.testing.SmtpFront;
import org.jamespack.relay.testing.TestCa;
import org.jamespack.relay.token.TokenOutcome;
import org.jamespack.relay.token.TokenSource;
import org.jamespack.testing.LogCapture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import ch.qos.logback.classic.Logger;
import com.icegreen.greenmail.user.GreenMailUser;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import no.nav.security.mock.oauth2.MockOAuth2Server;

/**
 * The mailet end to end at unit level: a real James memory mail queue, real TLS (a CA made here),
 * GreenMail smarthosts behind a STARTTLS front, real tokens from mock-oauth2-server.
 */
class XOAuth2RelayTest {

    private static MockOAuth2Server oauth;
    private static TestCa ca;

    @TempDir
    Path dir;

    private final List<AutoCloseable> closing = new ArrayList<>();
    private final Map<String, TokenSource> tokenSources = new ConcurrentHashMap<>();
    private final List<MockServerTokenSource> mockSources = new ArrayList<>();
    private LogCapture logs;
    private GreenMail smarthostA;
    private GreenMail smarthostB;
    private GreenMailUser accountA;
    private GreenMailUser accountB;
    private MemoryMailQueueFactory queues;
    private FakeMailContext context;
    private XOAuth2Relay relay;

    @BeforeAll
    static void startServers() throws Exception {
        oauth = new MockOAuth2Server();
        oauth.start();
        ca = TestCa.create("localhost");
    }

    @AfterAll
    static void stopServers() {
        oauth.shutdown();
    }

    @BeforeEach
    void setUp() {
        logs = LogCapture.root();
        smarthostA = greenMail();
        smarthostB = greenMail();
        accountA = smarthostA.setUser("relay@a.example", "relay@a.example", "no-token-yet");
        accountB = smarthostB.setUser("relay@b.example", "relay@b.example", "no-token-yet");
        queues = new MemoryMailQueueFactory(new RawMailQueueItemDecoratorFactory());
        context = FakeMailContext.defaultContext();
    }

    @AfterEach
    void tearDown() throws Exception {
        if (relay != null) {
            relay.destroy();
        }
        MemoryQueues.disposeAll(queues);
        for (AutoCloseable c : closing) {
            c.close();
        }
        smarthostA.stop();
        smarthostB.stop();
        logs.close();
        List<String> secrets = new ArrayList<>(List.of("test-secret"));
        mockSources.forEach(s -> secrets.addAll(s.issued()));
        logs.assertNoSecret(secrets);
    }

    private static GreenMail greenMail() {
        GreenMail gm = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP).dynamicPort());
        gm.start();
        return gm;
    }

    private MockServerTokenSource source(String account, GreenMailUser user) {
        URI endpoint = oauth.tokenEndpointUrl("relay").uri();
        MockServerTokenSource s = new MockServerTokenSource(account, endpoint, user::setPassword);
        mockSources.add(s);
        return s;
    }

    private SmtpFront front(SmtpFront.Mode mode, GreenMail backend) throws Exception {
        SmtpFront f = new SmtpFront(mode, ca.serverContext(), backend.getSmtp().getPort());
        closing.add(f);
        return f;
    }

    private void startRelay(String routes, String... more) throws Exception {
        Path trust = ca.writeTrustStore(dir.resolve("trust.p12"));
        FakeMailetConfig.Builder config = FakeMailetConfig.builder()
            .mailetName("XOAuth2Relay")
            .mailetContext(context)
            .setProperty("routes", routes)
            .setProperty("trustStore", trust.toString())
            .setProperty("trustStorePassword", new String(TestCa.PASSWORD))
            .setProperty("bounceProcessor", "bounces")
            .setProperty("deliveryThreads", "2")
            .setProperty("connectTimeout", "5s")
            .setProperty("readTimeout", "10s");
        for (int i = 0; i < more.length; i += 2) {
            config.setProperty(more[i], more[i + 1]);
        }
        TokenSources tokens = route -> Optional.ofNullable(tokenSources.get(route.oauth().orElseThrow()));
        relay = new XOAuth2Relay(queues, Optional.of(tokens), Clock.systemUTC(), true);
        relay.init(config.build());
    }

    private static Mail mail(String name, String sender, String... recipients) throws Exception {
        // submitted by the sender's own user, as James' SMTP server records it: the relay sends only for an owner
        return FakeMail.builder().name(name).sender(sender).recipients(recipients)
            .attribute(new org.apache.mailet.Attribute(Mail.SMTP_AUTH_USER, org.apache.mailet.AttributeValue.of(sender)))
            .mimeMessage(MimeMessageBuilder.mimeMessageBuilder().addFrom(sender).addToRecipient(recipients)
                .setSubject("relay test " + name).setText("Hello from " + sender))
            .build();
    }

    private ManageableMailQueue queue() {
        return queues.getQueue(MailQueueName.of(XOAuth2Relay.DEFAULT_QUEUE)).orElseThrow();
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(50);
        }
    }

    /** The one queued mail (waiting for a retry) and when it is due. */
    private List<ManageableMailQueue.MailQueueItemView> queued() {
        List<ManageableMailQueue.MailQueueItemView> items = new ArrayList<>();
        try {
            queue().browse().forEachRemaining(items::add);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return items;
    }

    private boolean requeued() {
        return queued().stream().anyMatch(v -> v.getMail().getAttribute(RelayDelivery.ATTEMPTS).isPresent());
    }

    @Test
    void idleConnectionShouldBeClosedWithQuitOnceItsIdleTimeoutIsOverWithoutWaitingForAnotherMessage() throws Exception {
        SmtpFront frontA = front(SmtpFront.Mode.STARTTLS, smarthostA);
        tokenSources.put("tenant-a", source("relay@a.example", accountA));
        startRelay("a.example: host=localhost::" + frontA.port() + " helo=relay.test user=relay@a.example oauth=tenant-a",
            "idleTimeout", "1s");

        relay.service(mail("m1", "alice@a.example", "rcpt1@dest.example"));

        await("delivery", () -> smarthostA.getReceivedMessages().length == 1);
        await("QUIT on the idle connection", () -> frontA.commands().contains("QUIT"));
        assertThat(frontA.connections()).isEqualTo(1);
        assertThat(relay.delivery().closeExpiredIdle(Instant.now().plus(Duration.ofHours(1))))
            .as("nothing left open to close").isZero();
    }

    @Test
    void zeroIdleTimeoutShouldEndEachConnectionRightAfterItsMessage() throws Exception {
        SmtpFront frontA = front(SmtpFront.Mode.STARTTLS, smarthostA);
        tokenSources.put("tenant-a", source("relay@a.example", accountA));
        startRelay("a.example: host=localhost::" + frontA.port() + " helo=relay.test user=relay@a.example oauth=tenant-a",
            "idleTimeout", "0ms");

        relay.service(mail("m1", "alice@a.example", "rcpt1@dest.example"));
        await("delivery and QUIT", () -> smarthostA.getReceivedMessages().length == 1 && frontA.commands().contains("QUIT"));
        relay.service(mail("m2", "alice@a.example", "rcpt2@dest.example"));
        await("second delivery and QUIT", () -> smarthostA.getReceivedMessages().length == 2
            && frontA.commands().stream().filter("QUIT"::equals).count() == 2);

        assertThat(frontA.connections()).isEqualTo(2);
    }

    @Test
    void serviceShouldRelayEachSenderDomainThroughItsOwnSmarthostAndIdentityReusingOneConnection() throws Exception {
        SmtpFront frontA = front(SmtpFront.Mode.STARTTLS, smarthostA);
        SmtpFront frontB = front(SmtpFront.Mode.STARTTLS, smarthostB);
        tokenSources.put("tenant-a", source("relay@a.example", accountA));
        tokenSources.put("tenant-b", source("relay@b.example", accountB));
        // indented as in mailetcontainer.xml's <routes> element
        startRelay("a.example: host=localhost::" + frontA.port() + " helo=relay.test user=relay@a.example oauth=tenant-a connections=1\n"
            + "      b.example: host=localhost::" + frontB.port() + " helo=relay.test user=relay@b.example oauth=tenant-b\n    ");

        Mail first = mail("m1", "alice@a.example", "rcpt1@dest.example");
        relay.service(first);
        relay.service(mail("m2", "alice@a.example", "rcpt2@dest.example"));
        relay.service(mail("m3", "bob@b.example", "rcpt3@dest.example"));

        await("three deliveries", () -> smarthostA.getReceivedMessages().length == 2 && smarthostB.getReceivedMessages().length == 1);
        assertThat(first.getState()).isEqualTo(Mail.GHOST);
        assertThat(frontA.authUsers()).containsExactly("relay@a.example");
        assertThat(frontB.authUsers()).containsExactly("relay@b.example");
        assertThat(frontA.connections()).as("one connection reused for both messages of a.example").isEqualTo(1);
        assertThat(frontA.commands()).as("one NOOP, on reuse; none after a transaction the server just accepted")
            .filteredOn("NOOP"::equals).hasSize(1);
        assertThat(frontA.commands()).contains("STARTTLS", "MAIL FROM:<alice@a.example>", "RCPT TO:<rcpt1@dest.example>");
        assertThat(smarthostB.getReceivedMessages()[0].getSubject()).isEqualTo("relay test m3");
        await("empty queue", () -> queued().isEmpty());
        assertThat(context.getSentMails()).isEmpty();
        assertThat(logs.events()).anyMatch(e -> e.getLevel().toString().equals("WARN")
            && e.getFormattedMessage().contains("route 'a.example'") && e.getFormattedMessage().contains("Send As permission"));
    }

    @Test
    void serviceShouldRelayOverImplicitTlsWhenTheRouteSaysSo() throws Exception {
        SmtpFront frontA = front(SmtpFront.Mode.IMPLICIT, smarthostA);
        tokenSources.put("tenant-a", source("relay@a.example", accountA));
        startRelay("a.example: host=localhost::" + frontA.port() + " tls=implicit helo=relay.test user=relay@a.example oauth=tenant-a\n");

        relay.service(mail("m1", "alice@a.example", "rcpt@dest.example"));

        await("delivery", () -> smarthostA.getReceivedMessages().length == 1);
        assertThat(frontA.authUsers()).containsExactly("relay@a.example");
    }

    @Test
    void deliveryShouldRefreshARejectedTokenOnceAndRetryAtOnce() throws Exception {
        SmtpFront frontA = front(SmtpFront.Mode.STARTTLS, smarthostA);
        MockServerTokenSource a = source("relay@a.example", accountA);
        a.withCachedToken(a.fetch()); // a real token, but not the one the smarthost accepts any more
        tokenSources.put("tenant-a", a);
        startRelay("a.example: host=localhost::" + frontA.port() + " helo=relay.test user=relay@a.example oauth=tenant-a\n");

        relay.service(mail("m1", "alice@a.example", "rcpt@dest.example"));

        await("delivery", () -> smarthostA.getReceivedMessages().length == 1);
        assertThat(a.forcedRefreshes()).isEqualTo(1);
        assertThat(a.fetches()).isEqualTo(1);
        assertThat(frontA.authUsers()).containsExactly("relay@a.example", "relay@a.example");
        assertThat(queued()).isEmpty();
    }

    @Test
    void deliveryShouldAnswerDovecotsErrorChallengeInTwoStepXoauth2ThenRefreshOnce() throws Exception {
        java.util.concurrent.atomic.AtomicReference<String> accepted = new java.util.concurrent.atomic.AtomicReference<>("none");
        SmtpFront frontA = front(SmtpFront.Mode.STARTTLS, smarthostA).dovecotStyleAuth(t -> t.equals(accepted.get()));
        MockServerTokenSource a = new MockServerTokenSource("relay@a.example", oauth.tokenEndpointUrl("relay").uri(), accepted::set);
        mockSources.add(a);
        a.withCachedToken(a.fetch());
        tokenSources.put("tenant-a", a);
        startRelay("a.example: host=localhost::" + frontA.port() + " helo=relay.test user=relay@a.example oauth=tenant-a\n",
            "maxAuthLine", "100");

        relay.service(mail("m1", "alice@a.example", "rcpt@dest.example"));

        await("delivery", () -> smarthostA.getReceivedMessages().length == 1);
        assertThat(frontA.commands()).filteredOn(c -> c.startsWith("AUTH")).containsExactly("AUTH XOAUTH2", "AUTH XOAUTH2");
        assertThat(frontA.errorAnswers()).as("an empty line answers the 334 error challenge").containsExactly("");
        assertThat(a.forcedRefreshes()).isEqualTo(1);
    }

    @Test
    void deliveryShouldNotLetAngusLogTheSaslResponseWhenItsLoggerWasOpenedAfterStartUp() throws Exception {
        // what logback's LevelChangePropagator does when logback.xml asks for DEBUG on Angus and is re-read
        Class.forName(org.jamespack.relay.smtp.SmtpConnector.class.getName());
        java.util.logging.Logger angus = java.util.logging.Logger.getLogger("org.eclipse.angus.mail.smtp");
        java.util.logging.Level before = angus.getLevel();
        List<String> records = java.util.Collections.synchronizedList(new ArrayList<>());
        java.util.logging.Handler handler = new java.util.logging.Handler() {
            @Override
            public void publish(java.util.logging.LogRecord r) {
                records.add(String.valueOf(r.getMessage()) + " " + java.util.Arrays.toString(r.getParameters()));
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        handler.setLevel(java.util.logging.Level.ALL);
        angus.addHandler(handler);
        angus.setLevel(java.util.logging.Level.ALL);
        try {
            java.util.concurrent.atomic.AtomicReference<String> accepted = new java.util.concurrent.atomic.AtomicReference<>("none");
            SmtpFront frontA = front(SmtpFront.Mode.STARTTLS, smarthostA).dovecotStyleAuth(t -> t.equals(accepted.get()));
            MockServerTokenSource a = new MockServerTokenSource("relay@a.example", oauth.tokenEndpointUrl("relay").uri(), accepted::set);
            mockSources.add(a);
            tokenSources.put("tenant-a", a);
            // two-step XOAUTH2: the token goes out as the answer to a 334, the exchange Angus logs at FINE
            startRelay("a.example: host=localhost::" + frontA.port() + " helo=relay.test user=relay@a.example oauth=tenant-a\n",
                "maxAuthLine", "100");

            relay.service(mail("m1", "alice@a.example", "rcpt@dest.example"));

            await("delivery", () -> smarthostA.getReceivedMessages().length == 1);
            assertThat(frontA.commands()).filteredOn(c -> c.startsWith("AUTH")).contains("AUTH XOAUTH2");
        } finally {
            angus.removeHandler(handler);
            angus.setLevel(before);
        }
        List<String> secrets = new ArrayList<>();
        for (MockServerTokenSource s : mockSources) {
            for (String t : s.issued()) {
                secrets.add(t);
                secrets.add(java.util.Base64.getEncoder().encodeToString(
                    ("user=relay@a.example\u0001auth=Bearer " + t + "\u0001\u0001").getBytes(java.nio.charset.StandardCharsets.UTF_8)));
            }
        }
        assertThat(secrets).isNotEmpty();
        for (String r : List.copyOf(records)) {
            for (String secret : secrets) {
                assertThat(r).as("an Angus log record").doesNotContain(secret);
            }
        }
    }

    @Test
    void deliveryShouldAnswerTheOauthbearerErrorChallengeWithAQ() throws Exception {
        java.util.concurrent.atomic.AtomicReference<String> accepted = new java.util.concurrent.atomic.AtomicReference<>("none");
        SmtpFront frontA = front(SmtpFront.Mode.STARTTLS, smarthostA).dovecotStyleAuth(t -> t.equals(accepted.get()));
        MockServerTokenSource a = new MockServerTokenSource("relay@a.example", oauth.tokenEndpointUrl("relay").uri(), accepted::set);
        mockSources.add(a);
        a.withCachedToken(a.fetch());
        tokenSources.put("tenant-a", a);
        startRelay("a.example: host=localhost::" + frontA.port()
            + " helo=relay.test user=relay@a.example oauth=tenant-a mechanism=oauthbearer\n");

        relay.service(mail("m1", "alice@a.example", "rcpt@dest.example"));

        await("delivery", () -> smarthostA.getReceivedMessages().length == 1);
        assertThat(frontA.commands()).filteredOn(c -> c.startsWith("AUTH"))
            .containsExactly("AUTH OAUTHBEARER (initial response)", "AUTH OAUTHBEARER (initial response)");
        assertThat(frontA.errorAnswers()).containsExactly("AQ==");
    }

    @Test
    void initShouldResolveOauthReferencesThroughTheTokenRegistryWhenNoSourcesAreGiven() throws Exception {
        // like Dovecot's oauth2 passdb: the smarthost asks the OAuth2 server whether the token is active
        SmtpFront frontA = front(SmtpFront.Mode.STARTTLS, smarthostA).dovecotStyleAuth(XOAuth2RelayTest::introspect);
        Path sources = dir.resolve("token-sources.xml");
        java.nio.file.Files.writeString(sources, "<tokenSources>\n"
            + "  <tokenSource name=\"m365-a\" type=\"client-credentials\">\n"
            + "    <tokenEndpoint>" + oauth.tokenEndpointUrl("relay") + "</tokenEndpoint>\n"
            + "    <clientId>relay-a</clientId>\n"
            + "    <clientSecret>test-secret</clientSecret>\n"
            + "  </tokenSource>\n"
            + "</tokenSources>\n");
        Path trust = ca.writeTrustStore(dir.resolve("trust.p12"));
        relay = new XOAuth2Relay(queues, Optional.empty(), Clock.systemUTC(), true);
        relay.init(FakeMailetConfig.builder().mailetName("XOAuth2Relay").mailetContext(context)
            .setProperty("routes", "a.example: host=localhost::" + frontA.port() + " helo=relay.test user=relay@a.example oauth=m365-a")
            .setProperty("tokenSourcesFile", sources.toString())
            .setProperty("trustStore", trust.toString())
            .setProperty("trustStorePassword", new String(TestCa.PASSWORD))
            .build());

        relay.service(mail("m1", "alice@a.example", "rcpt@dest.example"));

        await("delivery", () -> smarthostA.getReceivedMessages().length == 1);
        assertThat(frontA.authUsers()).containsExactly("relay@a.example");
        assertThat(frontA.errorAnswers()).isEmpty();
    }

    private static boolean introspect(String token) {
        try {
            java.net.http.HttpResponse<String> r = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(oauth.url("relay/introspect").uri())
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .header("Authorization", "Basic " + java.util.Base64.getEncoder().encodeToString("smarthost:x".getBytes()))
                    .POST(java.net.http.HttpRequest.BodyPublishers.ofString("token=" + token)).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 && r.body().replace(" ", "").contains("\"active\":true");
        } catch (Exception e) {
            return false;
        }
    }

    @Test
    void deliveryShouldRequeueWithTheScheduleDelayWhenTheSmarthostAnswers4xx() throws Exception {
        SmtpFront frontA = front(SmtpFront.Mode.STARTTLS, smarthostA)
            .rule("^MAIL FROM", "451 4.3.0 Mail server temporarily rejected message", -1);
        tokenSources.put("tenant-a", source("relay@a.example", accountA));
        startRelay("a.example: host=localhost::" + frontA.port() + " helo=relay.test user=relay@a.example oauth=tenant-a\n");

        relay.service(mail("m1", "alice@a.example", "rcpt@dest.example"));

        await("re-queued", this::requeued);
        ManageableMailQueue.MailQueueItemView view = queued().get(0);
        assertThat(view.getMail().getAttribute(RelayDelivery.ATTEMPTS).orElseThrow().getValue().getValue()).isEqualTo(1);
        assertThat(view.getMail().getAttribute(RelayDelivery.LAST_ERROR).orElseThrow().getValue().getValue().toString())
            .contains("TRANSIENT", "451 4.3.0");
        ZonedDateTime due = view.getNextDelivery().orElseThrow();
        assertThat(due).isBetween(ZonedDateTime.now().plusMinutes(14), ZonedDateTime.now().plusMinutes(16));
        assertThat(smarthostA.getReceivedMessages()).isEmpty();
        assertThat(context.getSentMails()).isEmpty();
    }

    @Test
    void deliveryShouldBounceOnlyTheRefusedRecipientAndDeliverTheOthersOnce() throws Exception {
        SmtpFront frontA = front(SmtpFront.Mode.STARTTLS, smarthostA)
            .rule("^RCPT TO:<bad@dest.example>", "550 5.1.1 <bad@dest.example>: Recipient address rejected: User unknown", -1);
        tokenSources.put("tenant-a", source("relay@a.example", accountA));
        startRelay("a.example: host=localhost::" + frontA.port() + " helo=relay.test user=relay@a.example oauth=tenant-a\n");

        relay.service(mail("m1", "alice@a.example", "good@dest.example", "bad@dest.example", "also-good@dest.example"));

        await("bounce", () -> context.getSentMails().size() == 1);
        await("empty queue", () -> queued().isEmpty());
        Thread.sleep(300);
        assertThat(smarthostA.getReceivedMessages()).hasSize(2);
        assertThat(frontA.commands().stream().filter(c -> c.startsWith("DATA")).count()).isEqualTo(1);
        FakeMailContext.SentMail bounce = context.getSentMails().get(0);
        assertThat(bounce.getState()).isEqualTo("bounces");
        assertThat(bounce.getRecipients()).containsExactly(new MailAddress("bad@dest.example"));
        assertThat(bounce.getAttributes().get(MailetBounces.DELIVERY_ERROR).getValue().getValue().toString())
            .contains("550 5.1.1");
    }

    @Test
    void deliveryShouldKeepTheMailQueuedAndFlagTheRouteWhenTheCredentialIsBroken() throws Exception {
        SmtpFront frontA = front(SmtpFront.Mode.STARTTLS, smarthostA);
        tokenSources.put("tenant-a", new TokenSource() {
            @Override
            public TokenOutcome token(boolean forceRefresh) {
                return new TokenOutcome.Failure(TokenOutcome.Kind.CREDENTIAL_BROKEN, "invalid_grant: AADSTS700082 refresh token expired");
            }

            @Override
            public String account() {
                return "relay@a.example";
            }
        });
        startRelay("a.example: host=localhost::" + frontA.port() + " helo=relay.test user=relay@a.example oauth=tenant-a\n");

        relay.service(mail("m1", "alice@a.example", "rcpt@dest.example"));

        await("re-queued", this::requeued);
        // the route is paused as a whole: the mail comes back for the next probe (brokenRouteProbeInterval, 5 minutes)
        assertThat(queued().get(0).getNextDelivery().orElseThrow()).isAfter(ZonedDateTime.now().plusMinutes(4))
            .isBefore(ZonedDateTime.now().plusMinutes(5).plusSeconds(1));
        assertThat(relay.delivery().unhealthy()).containsKey("relay@a.example");
        assertThat(frontA.connections()).isZero();
        assertThat(context.getSentMails()).isEmpty();
        assertThat(logs.events()).anyMatch(e -> e.getLevel().toString().equals("ERROR")
            && e.getFormattedMessage().contains("RELAY CREDENTIAL BROKEN") && e.getFormattedMessage().contains("invalid_grant")
            && e.getFormattedMessage().contains("diagnosis: [AADSTS700082]"));
        assertThat(logs.events()).filteredOn(e -> e.getFormattedMessage().startsWith("RELAY ROUTE PAUSED")).hasSize(1);
    }

    @Test
    void deliveryShouldNeverSendWithoutTlsWhenTheSmarthostOffersNoStarttls() throws Exception {
        SmtpFront frontA = front(SmtpFront.Mode.PLAIN_ONLY, smarthostA);
        tokenSources.put("tenant-a", source("relay@a.example", accountA));
        startRelay("a.example: host=localhost::" + frontA.port() + " helo=relay.test user=relay@a.example oauth=tenant-a\n");

        relay.service(mail("m1", "alice@a.example", "rcpt@dest.example"));

        await("re-queued", this::requeued);
        assertThat(frontA.commands()).noneMatch(c -> c.toUpperCase().startsWith("AUTH") || c.toUpperCase().startsWith("MAIL"));
        assertThat(queued().get(0).getMail().getAttribute(RelayDelivery.LAST_ERROR).orElseThrow().getValue().getValue().toString())
            .contains("POLICY", "TLS");
        assertThat(queued().get(0).getNextDelivery().orElseThrow()).isAfter(ZonedDateTime.now().plusMinutes(59));
        assertThat(smarthostA.getReceivedMessages()).isEmpty();
    }

    @Test
    void serviceShouldUseTheSmartHostsFileAsSeed002WritesItAndSkipItsBadLines() throws Exception {
        SmtpFront frontA = front(SmtpFront.Mode.STARTTLS, smarthostA);
        tokenSources.put("tenant-a", source("relay@a.example", accountA));
        Path file = dir.resolve("exim-smart-hosts");
        java.nio.file.Files.writeString(file, "# routes for the test\n"
            + "a.example: host=localhost::" + frontA.port() + " helo=cms user=relay@a.example oauth=tenant-a\n"
            + "broken.example: helo=cms user=x@broken.example oauth=tenant-a\n");
        startRelay("", "smartHostsFile", file.toString(), "routes", "");

        relay.service(mail("m1", "alice@a.example", "rcpt@dest.example"));

        await("delivery", () -> smarthostA.getReceivedMessages().length == 1);
        assertThat(frontA.commands()).contains("EHLO cms");
        assertThat(logs.events()).anyMatch(e -> e.getLevel().toString().equals("ERROR")
            && e.getFormattedMessage().contains(file + ":3: route 'broken.example': host: is required"));
    }

    @Test
    void serviceShouldRewriteTheSenderToTheAccountWhenAsked() throws Exception {
        SmtpFront frontA = front(SmtpFront.Mode.STARTTLS, smarthostA);
        tokenSources.put("tenant-a", source("relay@a.example", accountA));
        startRelay("a.example: host=localhost::" + frontA.port() + " helo=relay.test user=relay@a.example oauth=tenant-a\n",
            "rewriteSender", "true");

        relay.service(mail("m1", "alice@a.example", "rcpt@dest.example"));

        await("delivery", () -> smarthostA.getReceivedMessages().length == 1);
        assertThat(frontA.commands()).contains("MAIL FROM:<relay@a.example>");
        assertThat(smarthostA.getReceivedMessages()[0].getHeader("From")[0]).isEqualTo("relay@a.example");
    }

    @Test
    void serviceShouldAuthenticateAPasswordRouteWithPlainOverTlsOnly() throws Exception {
        SmtpFront frontB = front(SmtpFront.Mode.STARTTLS, smarthostB);
        accountB.setPassword("s3cret-Passw0rd");
        startRelay("b.example: host=localhost::" + frontB.port() + " helo=relay.test user=relay@b.example password=s3cret-Passw0rd\n");

        relay.service(mail("m1", "bob@b.example", "rcpt@dest.example"));

        await("delivery", () -> smarthostB.getReceivedMessages().length == 1);
        assertThat(frontB.commands()).contains("AUTH PLAIN").doesNotContain("AUTH LOGIN");
        assertThat(logs.events()).noneMatch(e -> e.getFormattedMessage().contains("s3cret-Passw0rd"));
    }

    @Test
    void serviceShouldSendTheNullSenderThroughTheDefaultRouteWhenConfigured() throws Exception {
        SmtpFront frontA = front(SmtpFront.Mode.STARTTLS, smarthostA);
        tokenSources.put("tenant-a", source("relay@a.example", accountA));
        startRelay("*: host=localhost::" + frontA.port() + " helo=relay.test user=relay@a.example oauth=tenant-a\n",
            "nullSender", "default-route");
        Mail bounce = FakeMail.builder().name("dsn").sender(org.apache.james.core.MaybeSender.nullSender())
            .recipients("rcpt@dest.example")
            .mimeMessage(MimeMessageBuilder.mimeMessageBuilder().setSubject("Delivery Status Notification").setText("dsn"))
            .build();

        relay.service(bounce);

        // GreenMail 2.1.3 itself refuses MAIL FROM:<> (then 503 to RCPT), so the assertion stops at the envelope
        await("the null sender at the default route", () -> frontA.commands().contains("MAIL FROM:<>"));
        assertThat(bounce.getState()).isEqualTo(Mail.GHOST);
        assertThat(frontA.authUsers()).containsExactly("relay@a.example");
    }

    @Test
    void serviceShouldBounceMailWithoutRouteWhenThePolicySaysBounce() throws Exception {
        startRelay("a.example: host=localhost::25 helo=relay.test user=relay@a.example oauth=tenant-a\n", "noRoute", "bounce");
        Mail other = mail("m1", "carol@elsewhere.example", "rcpt@dest.example");

        relay.service(other);

        assertThat(other.getState()).isEqualTo(Mail.GHOST);
        assertThat(context.getSentMails()).hasSize(1);
        assertThat(context.getSentMails().get(0).getState()).isEqualTo("bounces");
        assertThat(queue().getSize()).isZero();
    }

    @Test
    void serviceShouldHandMailSentAsAnotherUserToTheRefusedProcessorWithoutQueueingIt() throws Exception {
        startRelay("b.example: host=localhost::25 helo=relay.test user=relay@b.example oauth=tenant-b\n",
            "refusedProcessor", "relay-refused");
        Mail forged = FakeMail.builder().name("forged").sender("bob@b.example").recipients("rcpt@dest.example")
            .attribute(new org.apache.mailet.Attribute(Mail.SMTP_AUTH_USER, org.apache.mailet.AttributeValue.of("alice@a.example")))
            .mimeMessage(MimeMessageBuilder.mimeMessageBuilder().setSubject("as bob").setText("x")).build();
        Mail local = FakeMail.builder().name("local").sender("bob@b.example").recipients("rcpt@dest.example")
            .mimeMessage(MimeMessageBuilder.mimeMessageBuilder().setSubject("from a local process").setText("x")).build();

        relay.service(forged);
        relay.service(local);

        assertThat(forged.getState()).isEqualTo("relay-refused");
        assertThat(forged.getErrorMessage()).contains("alice@a.example does not own the sender address bob@b.example");
        assertThat(forged.getAttribute(XOAuth2Relay.REFUSED)).isPresent();
        assertThat(local.getState()).isEqualTo("relay-refused");
        assertThat(local.getErrorMessage()).contains("not submitted by an authenticated user");
        assertThat(queue().getSize()).isZero();
        assertThat(logs.events()).anyMatch(e -> e.getLevel() == ch.qos.logback.classic.Level.WARN
            && e.getFormattedMessage().contains("refused to send") && e.getFormattedMessage().contains("mail forged"));
    }

    @Test
    void deliveryShouldRefuseAQueuedMailSentAsAnotherUserBeforeAskingForAToken() throws Exception {
        // mail that reached the queue without passing service(): queued before an upgrade, or replayed from the journal
        java.util.concurrent.atomic.AtomicInteger tokenAsked = new java.util.concurrent.atomic.AtomicInteger();
        tokenSources.put("tenant-b", new TokenSource() {
            @Override
            public org.jamespack.relay.token.TokenOutcome token(boolean forceRefresh) {
                tokenAsked.incrementAndGet();
                throw new AssertionError("bob's token must not be asked for alice's mail");
            }

            @Override
            public String account() {
                return "relay@b.example";
            }

        });
        startRelay("b.example: host=localhost::25 helo=relay.test user=relay@b.example oauth=tenant-b\n",
            "refusedProcessor", "relay-refused", "tokenUpkeep", "0s");
        Mail forged = FakeMail.builder().name("queued-forged").sender("bob@b.example").recipients("rcpt@dest.example")
            .attribute(new org.apache.mailet.Attribute(Mail.SMTP_AUTH_USER, org.apache.mailet.AttributeValue.of("alice@a.example")))
            .mimeMessage(MimeMessageBuilder.mimeMessageBuilder().setSubject("as bob").setText("x")).build();

        queue().enQueue(forged);

        await("the refused mail handed to relay-refused", () -> context.getSentMails().stream()
            .anyMatch(m -> "relay-refused".equals(m.getState())));
        assertThat(tokenAsked.get()).isZero();
    }

    @Test
    void serviceShouldLeaveMailWithoutRouteToTheNextMailetByDefault() throws Exception {
        startRelay("a.example: host=localhost::25 helo=relay.test user=relay@a.example oauth=tenant-a\n");
        Mail other = mail("m1", "carol@elsewhere.example", "rcpt@dest.example");

        relay.service(other);

        assertThat(other.getState()).isNotEqualTo(Mail.GHOST);
        assertThat(queue().getSize()).isZero();
    }

    @Test
    void initShouldQueueAgainWhatTheJournalHoldsSoThatARestartLosesNothing() throws Exception {
        SmtpFront frontA = front(SmtpFront.Mode.STARTTLS, smarthostA)
            .rule("^MAIL FROM", "451 4.3.0 Mail server temporarily rejected message", 1);
        tokenSources.put("tenant-a", source("relay@a.example", accountA));
        MemoryQueues.DisposingRepository journal = new MemoryQueues.DisposingRepository();
        org.apache.james.mailrepository.api.MailRepositoryStore store = new org.apache.james.mailrepository.api.MailRepositoryStore() {
            @Override
            public org.apache.james.mailrepository.api.MailRepository select(org.apache.james.mailrepository.api.MailRepositoryUrl url) {
                assertThat(url.asString()).startsWith("memory://var/mail/relay-journal");
                return journal;
            }

            @Override
            public Optional<org.apache.james.mailrepository.api.Protocol> defaultProtocol() {
                return Optional.empty();
            }

            @Override
            public Optional<org.apache.james.mailrepository.api.MailRepository> get(org.apache.james.mailrepository.api.MailRepositoryUrl url) {
                return Optional.of(journal);
            }

            @Override
            public java.util.stream.Stream<org.apache.james.mailrepository.api.MailRepository> getByPath(
                org.apache.james.mailrepository.api.MailRepositoryPath path) {
                return java.util.stream.Stream.of(journal);
            }

            @Override
            public java.util.stream.Stream<org.apache.james.mailrepository.api.MailRepositoryUrl> getUrls() {
                return java.util.stream.Stream.empty();
            }
        };
        String routes = "a.example: host=localhost::" + frontA.port() + " helo=relay.test user=relay@a.example oauth=tenant-a\n";
        Path trust = ca.writeTrustStore(dir.resolve("trust.p12"));
        TokenSources tokens = route -> Optional.ofNullable(tokenSources.get(route.oauth().orElseThrow()));
        FakeMailetConfig config = FakeMailetConfig.builder().mailetName("XOAuth2Relay").mailetContext(context)
            .setProperty("routes", routes)
            .setProperty("journal", "memory://var/mail/relay-journal/")
            .setProperty("trustStore", trust.toString())
            .setProperty("trustStorePassword", new String(TestCa.PASSWORD))
            .build();
        relay = new XOAuth2Relay(queues, Optional.of(store), Optional.of(tokens), Clock.systemUTC(), true);
        relay.init(config);

        relay.service(mail("m1", "alice@a.example", "rcpt@dest.example"));
        await("re-queued after the 451", this::requeued);
        assertThat(journal.size()).isEqualTo(1);
        Mail journalled = journal.retrieve(org.apache.james.mailrepository.api.MailKey.forMail(queued().get(0).getMail()));
        try {
            assertThat(journalled.getAttribute(RelayDelivery.ATTEMPTS)).as("the journal holds the re-queued state").isPresent();
        } finally {
            LifecycleUtil.dispose(journalled);
        }

        // a restart of a memory James: the mailet goes, and with it the queue's content
        relay.destroy();
        MemoryQueues.disposeAll(queues);
        queues = new MemoryMailQueueFactory(new RawMailQueueItemDecoratorFactory());
        relay = new XOAuth2Relay(queues, Optional.of(store), Optional.of(tokens), Clock.systemUTC(), true);
        relay.init(config);

        await("delivery after the restart", () -> smarthostA.getReceivedMessages().length == 1);
        await("journal emptied", () -> journal.size() == 0);
        assertThat(smarthostA.getReceivedMessages()[0].getSubject()).isEqualTo("relay test m1");
    }
    @Test
    void deliveryShouldBounceAtOnceWith534WithoutUploadingWhenTheMessageIsLargerThanTheSmarthostTakes() throws Exception {
        SmtpFront frontA = front(SmtpFront.Mode.STARTTLS, smarthostA).offer("SIZE 100");
        tokenSources.put("tenant-a", source("relay@a.example", accountA));
        startRelay("a.example: host=localhost::" + frontA.port() + " helo=relay.test user=relay@a.example oauth=tenant-a\n");

        relay.service(mail("m1", "alice@a.example", "rcpt@dest.example"));

        await("bounce", () -> context.getSentMails().size() == 1);
        await("empty queue", () -> queued().isEmpty());
        assertThat(smarthostA.getReceivedMessages()).isEmpty();
        assertThat(frontA.commands()).noneMatch(c -> c.startsWith("MAIL") || c.startsWith("DATA"));
        FakeMailContext.SentMail bounce = context.getSentMails().get(0);
        assertThat(bounce.getState()).isEqualTo("bounces");
        assertThat(bounce.getRecipients()).containsExactly(new MailAddress("rcpt@dest.example"));
        assertThat(bounce.getAttributes().get(MailetBounces.DELIVERY_ERROR).getValue().getValue().toString())
            .contains("552 5.3.4");
    }

    @Test
    void deliveryShouldPassTheDsnParametersJamesKeptOnTheMailWhenTheSmarthostOffersDsn() throws Exception {
        SmtpFront frontA = front(SmtpFront.Mode.STARTTLS, smarthostA).offer("DSN");
        tokenSources.put("tenant-a", source("relay@a.example", accountA));
        startRelay("a.example: host=localhost::" + frontA.port() + " helo=relay.test user=relay@a.example oauth=tenant-a\n");
        Mail mail = mail("m1", "alice@a.example", "rcpt@dest.example");
        mail.setDsnParameters(org.apache.mailet.DsnParameters.builder()
            .envId(org.apache.mailet.DsnParameters.EnvId.of("env-42"))
            .ret(org.apache.mailet.DsnParameters.Ret.HDRS)
            .addRcptParameter(new MailAddress("rcpt@dest.example"), org.apache.mailet.DsnParameters.RecipientDsnParameters.of(
                java.util.EnumSet.of(org.apache.mailet.DsnParameters.Notify.FAILURE, org.apache.mailet.DsnParameters.Notify.DELAY),
                new MailAddress("original@dest.example")))
            .build().orElseThrow());

        relay.service(mail);

        await("delivery", () -> smarthostA.getReceivedMessages().length == 1);
        assertThat(frontA.commands()).contains("MAIL FROM:<alice@a.example> RET=HDRS ENVID=env-42",
            "RCPT TO:<rcpt@dest.example> NOTIFY=DELAY,FAILURE ORCPT=rfc822;original@dest.example");
    }
}
