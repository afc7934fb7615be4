package org.jamespack.relay;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;

import org.apache.james.core.MailAddress;
import org.apache.james.core.builder.MimeMessageBuilder;
import org.apache.james.queue.api.MailQueueName;
import org.apache.james.queue.api.ManageableMailQueue;
import org.apache.james.queue.api.RawMailQueueItemDecoratorFactory;
import org.apache.james.queue.memory.MemoryMailQueueFactory;
import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.Mail;
import org.apache.mailet.base.test.FakeMail;
import org.apache.mailet.base.test.FakeMailContext;
import org.apache.mailet.base.test.FakeMailetConfig;
import org.jamespack.relay.delivery.MailetBounces;
import org.jamespack.relay.delivery.RelayDelivery;
import org.jamespack.relay.delivery.TokenSources;
import org.jamespack.relay.testing.GraphOAuth;
import org.jamespack.relay.testing.GraphStandIn;
import org.jamespack.relay.testing.GraphStandIn.Reply;
import org.jamespack.relay.testing.MockServerTokenSource;
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

import no.nav.security.mock.oauth2.MockOAuth2Server;

/**
 * Graph routes through the relay mailet end to end: a real James memory mail queue, the local Graph over TLS (a CA
 * made here) answering as Microsoft documents, real tokens from mock-oauth2-server shaped as Microsoft's.
 */
class GraphRelayTest {

    private static MockOAuth2Server oauth;
    private static TestCa ca;

    @TempDir
    Path dir;

    private final Map<String, TokenSource> tokenSources = new ConcurrentHashMap<>();
    private final List<MockServerTokenSource> mockSources = new ArrayList<>();
    private LogCapture logs;
    private GraphStandIn graph;
    private MemoryMailQueueFactory queues;
    private FakeMailContext context;
    private XOAuth2Relay relay;

    @BeforeAll
    static void startServers() throws Exception {
        oauth = GraphOAuth.start();
        ca = TestCa.create("localhost");
    }

    @AfterAll
    static void stopServers() {
        oauth.shutdown();
    }

    @BeforeEach
    void setUp() throws Exception {
        logs = LogCapture.root();
        graph = new GraphStandIn(ca.serverContext(), GraphOAuth.tokenCheck(oauth), Optional.empty());
        queues = new MemoryMailQueueFactory(new RawMailQueueItemDecoratorFactory());
        context = FakeMailContext.defaultContext();
    }

    @AfterEach
    void tearDown() throws Exception {
        if (relay != null) {
            relay.destroy();
        }
        MemoryQueues.disposeAll(queues);
        graph.close();
        logs.close();
        List<String> secrets = new ArrayList<>(List.of("test-secret"));
        mockSources.forEach(s -> secrets.addAll(s.issued()));
        logs.assertNoSecret(secrets);
    }

    private MockServerTokenSource source(String issuer) {
        MockServerTokenSource s = new MockServerTokenSource("relay@a.example", URI.create(oauth.tokenEndpointUrl(issuer).toString()),
            t -> { });
        mockSources.add(s);
        return s;
    }

    private String route(String extra) {
        return "a.example: transport=graph graph-url=" + graph.baseUrl() + " user=relay@a.example oauth=graph-a " + extra + "\n";
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
            .setProperty("readTimeout", "10s")
            .setProperty("tokenUpkeep", "0s");
        for (int i = 0; i < more.length; i += 2) {
            config.setProperty(more[i], more[i + 1]);
        }
        TokenSources tokens = route -> Optional.ofNullable(tokenSources.get(route.oauth().orElseThrow()));
        relay = new XOAuth2Relay(queues, Optional.of(tokens), Clock.systemUTC(), true);
        relay.init(config.build());
    }

    private static Mail mail(String name, String sender, String... recipients) throws Exception {
        return FakeMail.builder().name(name).sender(sender).recipients(recipients)
            .attribute(new Attribute(Mail.SMTP_AUTH_USER, AttributeValue.of(sender)))
            .mimeMessage(MimeMessageBuilder.mimeMessageBuilder().addFrom(sender).addToRecipient(recipients)
                .setSubject("graph relay " + name).setText("Hello from " + sender))
            .build();
    }

    private ManageableMailQueue queue() {
        return queues.getQueue(MailQueueName.of(XOAuth2Relay.DEFAULT_QUEUE)).orElseThrow();
    }

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

    private String lastError() {
        return queued().get(0).getMail().getAttribute(RelayDelivery.LAST_ERROR).orElseThrow().getValue().getValue().toString();
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

    @Test
    void serviceShouldSendTheMessageThroughGraphsSendMailOfTheRoutesMailbox() throws Exception {
        graph.grantSendAs("relay@a.example", "alice@a.example");
        tokenSources.put("graph-a", source(GraphOAuth.GRAPH));
        startRelay(route(""));
        Mail m1 = mail("m1", "alice@a.example", "rcpt1@dest.example", "rcpt2@dest.example");

        relay.service(m1);

        // the queue shows no mail while a worker holds it: the relay's own line says the attempt is over
        await("the relay's line", () -> logged("relayed mail m1"));
        await("empty queue", () -> queued().isEmpty());
        GraphStandIn.Received got = graph.received().get(0);
        assertThat(got.mailbox()).isEqualTo("relay@a.example");
        assertThat(got.subject()).isEqualTo("graph relay m1");
        assertThat(got.recipients()).containsExactlyInAnyOrder("rcpt1@dest.example", "rcpt2@dest.example");
        assertThat(graph.requests()).singleElement().satisfies(r -> assertThat(r.contentType()).isEqualTo("text/plain"));
        assertThat(m1.getState()).isEqualTo(Mail.GHOST);
        assertThat(context.getSentMails()).isEmpty();
        assertThat(logged("relayed mail m1 from alice@a.example for 2 recipient(s) via Graph " + graph.baseUrl())).isTrue();
    }

    private boolean logged(String text) {
        return logs.events().stream().anyMatch(e -> e.getFormattedMessage().contains(text));
    }

    @Test
    void deliveryShouldRefreshATokenGraphRefusesOnceAndSendAtOnce() throws Exception {
        MockServerTokenSource a = source(GraphOAuth.GRAPH);
        a.withCachedToken("revoked-token");
        tokenSources.put("graph-a", a);
        startRelay(route(""));

        relay.service(mail("m1", "relay@a.example", "rcpt@dest.example"));

        await("Graph took the message", () -> graph.received().size() == 1);
        assertThat(a.forcedRefreshes()).isEqualTo(1);
        assertThat(graph.requests()).extracting(GraphStandIn.Request::status).containsExactly(401, 202);
        await("empty queue", () -> queued().isEmpty());
    }

    @Test
    void deliveryShouldWaitAsLongAsGraphsRetryAfterWhenThrottled() throws Exception {
        graph.enqueue(Reply.error(429, "ApplicationThrottled", "Application is over its MailboxConcurrency limit.")
            .withRetryAfter("600"));
        tokenSources.put("graph-a", source(GraphOAuth.GRAPH));
        startRelay(route(""));

        relay.service(mail("m1", "relay@a.example", "rcpt@dest.example"));

        await("re-queued", this::requeued);
        assertThat(lastError()).contains("TRANSIENT", "429", "ApplicationThrottled");
        assertThat(queued().get(0).getNextDelivery().orElseThrow())
            .isBetween(ZonedDateTime.now().plusMinutes(9), ZonedDateTime.now().plusMinutes(11));
        assertThat(relay.delivery().gate(relay.delivery().routeFor(queued().get(0).getMail()).orElseThrow())
            .admit(1, java.time.Instant.now())).as("the route waits too").isPresent();
        assertThat(context.getSentMails()).isEmpty();
    }

    @Test
    void deliveryShouldBounceWithTheDiagnosisWhenTheMailboxMayNotSendAsTheSender() throws Exception {
        tokenSources.put("graph-a", source(GraphOAuth.GRAPH));
        startRelay(route(""));

        relay.service(mail("m1", "alice@a.example", "rcpt@dest.example"));

        await("bounce", () -> context.getSentMails().size() == 1);
        await("empty queue", () -> queued().isEmpty());
        FakeMailContext.SentMail bounce = context.getSentMails().get(0);
        assertThat(bounce.getState()).isEqualTo("bounces");
        assertThat(bounce.getRecipients()).containsExactly(new MailAddress("rcpt@dest.example"));
        assertThat(bounce.getAttributes().get(MailetBounces.DELIVERY_ERROR).getValue().getValue().toString())
            .contains("403", "ErrorSendAsDenied", "relay@a.example may not send as", "rewriteSender");
        assertThat(graph.requests()).as("never retried").hasSize(1);
    }

    @Test
    void deliveryShouldSendAsTheMailboxWhenTheRelayRewritesSenders() throws Exception {
        tokenSources.put("graph-a", source(GraphOAuth.GRAPH));
        startRelay(route(""), "rewriteSender", "true");

        relay.service(mail("m1", "alice@a.example", "rcpt@dest.example"));

        await("Graph took the message", () -> graph.received().size() == 1);
        assertThat(new String(graph.received().get(0).mime(), java.nio.charset.StandardCharsets.UTF_8))
            .contains("From: relay@a.example");
    }

    @Test
    void deliveryShouldKeepTheMailQueuedAndFlagTheRouteWhenTheAppLacksMailSend() throws Exception {
        tokenSources.put("graph-a", source(GraphOAuth.NO_PERMISSION));
        startRelay(route(""));

        relay.service(mail("m1", "relay@a.example", "rcpt@dest.example"));

        await("re-queued", this::requeued);
        assertThat(lastError()).contains("POLICY", "403", "ErrorAccessDenied", "Mail.Send");
        // the same for every message of the route: it pauses as a whole, and the mail comes back with the next probe
        assertThat(queued().get(0).getNextDelivery().orElseThrow())
            .isBetween(ZonedDateTime.now().plusMinutes(4), ZonedDateTime.now().plusMinutes(6));
        assertThat(relay.delivery().unhealthy()).containsKey("relay@a.example");
        assertThat(context.getSentMails()).isEmpty();
        assertThat(logs.events()).anyMatch(e -> e.getLevel().toString().equals("ERROR")
            && e.getFormattedMessage().contains("RELAY REFUSED BY POLICY") && e.getFormattedMessage().contains("Mail.Send"));
        assertThat(logs.events()).anyMatch(e -> e.getFormattedMessage().startsWith("RELAY ROUTE PAUSED")
            && e.getFormattedMessage().contains("Mail.Send"));
        int requests = graph.requests().size();

        relay.service(mail("m2", "relay@a.example", "rcpt2@dest.example"));

        await("the second message held too", () -> queued().size() == 2 && queued().stream().allMatch(
            v -> v.getNextDelivery().isPresent()));
        assertThat(graph.requests()).as("a paused route asks Graph nothing until its probe").hasSize(requests);
    }

    @Test
    void deliveryShouldKeepTheMailQueuedWithoutCallingGraphWhenTheCredentialIsBroken() throws Exception {
        tokenSources.put("graph-a", new TokenSource() {
            @Override
            public TokenOutcome token(boolean forceRefresh) {
                return new TokenOutcome.Failure(TokenOutcome.Kind.CREDENTIAL_BROKEN, "invalid_client: AADSTS7000215");
            }

            @Override
            public String account() {
                return "relay@a.example";
            }
        });
        startRelay(route(""));

        relay.service(mail("m1", "relay@a.example", "rcpt@dest.example"));

        await("re-queued", this::requeued);
        assertThat(lastError()).contains("CREDENTIAL_BROKEN", "invalid_client");
        assertThat(relay.delivery().unhealthy()).containsKey("relay@a.example");
        assertThat(graph.requests()).isEmpty();
        assertThat(context.getSentMails()).isEmpty();
    }

    @Test
    void deliveryShouldBounceAMessageOverGraphsLimitClearlyWithoutCallingGraph() throws Exception {
        tokenSources.put("graph-a", source(GraphOAuth.GRAPH));
        startRelay(route(""));
        Mail big = FakeMail.builder().name("big").sender("relay@a.example").recipients("rcpt@dest.example")
            .attribute(new Attribute(Mail.SMTP_AUTH_USER, AttributeValue.of("relay@a.example")))
            .mimeMessage(MimeMessageBuilder.mimeMessageBuilder().addFrom("relay@a.example").addToRecipient("rcpt@dest.example")
                .setSubject("big").setText("x".repeat(3_300_000)))
            .build();

        relay.service(big);

        await("bounce", () -> context.getSentMails().size() == 1);
        assertThat(context.getSentMails().get(0).getAttributes().get(MailetBounces.DELIVERY_ERROR).getValue().getValue().toString())
            .contains("4 MB");
        assertThat(graph.requests()).isEmpty();
    }

    @Test
    void deliveryShouldKeepTheRoutesSendingLimitAsForSmtp() throws Exception {
        tokenSources.put("graph-a", source(GraphOAuth.GRAPH));
        startRelay(route("preset=none messages-per-minute=1"));

        relay.service(mail("m1", "relay@a.example", "rcpt1@dest.example"));
        relay.service(mail("m2", "relay@a.example", "rcpt2@dest.example"));

        await("one sent, one waiting", () -> graph.received().size() == 1 && queued().size() == 1);
        Thread.sleep(300);
        assertThat(graph.requests()).hasSize(1);
        assertThat(queued().get(0).getNextDelivery().orElseThrow()).isAfter(ZonedDateTime.now().plusSeconds(30));
    }
}
