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

import org.apache.james.core.builder.MimeMessageBuilder;
import org.apache.james.queue.api.MailQueueName;
import org.apache.james.queue.api.ManageableMailQueue;
import org.apache.james.queue.api.RawMailQueueItemDecoratorFactory;
import org.apache.james.queue.memory.MemoryMailQueueFactory;
import org.apache.mailet.Mail;
import org.apache.mailet.base.test.FakeMail;
import org.apache.mailet.base.test.FakeMailContext;
import org.apache.mailet.base.test.FakeMailetConfig;
import org.jamespack.relay.delivery.RelayDelivery;
import org.jamespack.relay.delivery.TokenSources;
import org.jamespack.relay.testing.DovecotSubmission;
import org.jamespack.relay.testing.MockServerTokenSource;
import org.jamespack.relay.testing.TestCa;
import org.jamespack.relay.token.TokenSource;
import org.jamespack.testing.TestPorts;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import no.nav.security.mock.oauth2.MockOAuth2Server;

/**
 * The Dovecot tier: the relay mailet (its own SMTP client, SASL clients and refresh logic) against
 * the real XOAUTH2 peer, Dovecot 2.3's submission server, whose {@code oauth2} passdb introspects
 * each token at mock-oauth2-server and which relays accepted mail to GreenMail. Skipped, with the
 * reason printed, where Dovecot is not installed (CI installs it).
 */
class DovecotRelayTest {

    private static final String ACCOUNT = "relay@a.example";

    private static MockOAuth2Server oauth;
    private static TestCa ca;

    @TempDir
    Path dir;

    private final Map<String, TokenSource> tokenSources = new ConcurrentHashMap<>();
    private final List<AutoCloseable> closing = new ArrayList<>();
    private GreenMail sink;
    private MemoryMailQueueFactory queues;
    private XOAuth2Relay relay;

    @BeforeAll
    static void startServers() throws Exception {
        Optional<String> missing = DovecotSubmission.unavailable();
        if (missing.isPresent()) {
            if (Boolean.getBoolean("jamespack.dovecot.required")) {
                // run-tests installs Dovecot, so there a missing server is a broken set-up, not a skip
                throw new AssertionError(missing.get() + " (and -Djamespack.dovecot.required=true)");
            }
            System.out.println("DovecotRelayTest skipped: " + missing.get());
        }
        Assumptions.assumeTrue(missing.isEmpty(), () -> missing.get());
        oauth = new MockOAuth2Server();
        oauth.start();
        ca = TestCa.create("localhost");
    }

    @AfterAll
    static void stopServers() {
        if (oauth != null) {
            oauth.shutdown();
        }
    }

    @BeforeEach
    void setUp() {
        sink = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP).dynamicPort());
        sink.start();
        queues = new MemoryMailQueueFactory(new RawMailQueueItemDecoratorFactory());
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
        sink.stop();
    }

    /** Dovecot introspecting at mock-oauth2-server (client credentials in the URL: the endpoint wants an Authorization header). */
    private DovecotSubmission dovecot() throws Exception {
        URI introspect = oauth.url("relay/introspect").uri();
        return dovecot(URI.create("http://smarthost:secret@127.0.0.1:" + introspect.getPort() + introspect.getPath()));
    }

    private DovecotSubmission dovecot(URI introspectionUrl) throws Exception {
        // mock-oauth2-server's client-credentials tokens carry sub = client_id, the account here
        DovecotSubmission d = DovecotSubmission.start(ca, introspectionUrl, "sub", sink.getSmtp().getPort());
        closing.add(d);
        return d;
    }

    /**
     * The token endpoint on 127.0.0.1, like Dovecot's introspection URL: mock-oauth2-server takes the issuer from the request's
     * URL, and a token issued under {@code localhost} would be inactive when introspected under 127.0.0.1.
     */
    private static URI tokenEndpoint(String issuer) {
        return URI.create("http://127.0.0.1:" + oauth.url(issuer).uri().getPort() + "/" + issuer + "/token");
    }

    private MockServerTokenSource source() {
        MockServerTokenSource s = new MockServerTokenSource(ACCOUNT, tokenEndpoint("relay"), token -> { });
        tokenSources.put("tenant-a", s);
        return s;
    }

    private void startRelay(DovecotSubmission dovecot, String mechanism) throws Exception {
        Path trust = ca.writeTrustStore(dir.resolve("trust.p12"));
        TokenSources tokens = route -> Optional.ofNullable(tokenSources.get(route.oauth().orElseThrow()));
        relay = new XOAuth2Relay(queues, Optional.of(tokens), Clock.systemUTC(), true);
        relay.init(FakeMailetConfig.builder()
            .mailetName("XOAuth2Relay")
            .mailetContext(FakeMailContext.defaultContext())
            .setProperty("routes", "a.example: host=localhost::" + dovecot.port() + " helo=relay.test user=" + ACCOUNT
                + " oauth=tenant-a mechanism=" + mechanism)
            .setProperty("trustStore", trust.toString())
            .setProperty("trustStorePassword", new String(TestCa.PASSWORD))
            .setProperty("retrySchedule", "F,1h,10m")
            .setProperty("connectTimeout", "5s")
            .setProperty("readTimeout", "10s")
            .build());
    }

    private static Mail mail(String name) throws Exception {
        return FakeMail.builder().name(name).sender("alice@a.example").recipients("rcpt@dest.example")
            .attribute(new org.apache.mailet.Attribute(org.apache.mailet.Mail.SMTP_AUTH_USER,
                org.apache.mailet.AttributeValue.of("alice@a.example")))
            .mimeMessage(MimeMessageBuilder.mimeMessageBuilder().addFrom("alice@a.example").addToRecipient("rcpt@dest.example")
                .setSubject("dovecot tier " + name).setText("Hello through Dovecot"))
            .build();
    }

    private List<ManageableMailQueue.MailQueueItemView> queued() {
        List<ManageableMailQueue.MailQueueItemView> items = new ArrayList<>();
        try {
            queues.getQueue(MailQueueName.of(XOAuth2Relay.DEFAULT_QUEUE)).orElseThrow().browse().forEachRemaining(items::add);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return items;
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
    void deliveryShouldLogInWithAGoodTokenAndRelayThroughDovecot() throws Exception {
        DovecotSubmission dovecot = dovecot();
        MockServerTokenSource tokens = source();
        startRelay(dovecot, "xoauth2");

        relay.service(mail("m1"));

        await("delivery through Dovecot", () -> sink.getReceivedMessages().length == 1);
        assertThat(sink.getReceivedMessages()[0].getSubject()).isEqualTo("dovecot tier m1");
        assertThat(dovecot.logins()).containsExactly(ACCOUNT + " XOAUTH2");
        assertThat(dovecot.authReplies()).as("no error challenge, no failure").isEmpty();
        assertThat(tokens.fetches()).isEqualTo(1);
        assertThat(tokens.forcedRefreshes()).isZero();
        await("empty queue", () -> queued().isEmpty());
    }

    @Test
    void deliveryShouldAnswerDovecotsXoauth2ErrorChallengeWithAnEmptyLineThenRefreshOnceAndDeliver() throws Exception {
        DovecotSubmission dovecot = dovecot();
        MockServerTokenSource tokens = source();
        // a real token, but from another issuer: Dovecot's introspection finds it inactive
        tokens.withCachedToken(new MockServerTokenSource(ACCOUNT, tokenEndpoint("other"), t -> { }).fetch());
        startRelay(dovecot, "xoauth2");

        relay.service(mail("m1"));

        await("delivery through Dovecot", () -> sink.getReceivedMessages().length == 1);
        assertThat(dovecot.authReplies()).hasSize(2);
        assertThat(dovecot.authReplies().get(0)).as("the error challenge {\"status\":\"401\",\"schemes\":\"bearer\",\"scope\":\"mail\"}")
            .isEqualTo("334 eyJzdGF0dXMiOiI0MDEiLCJzY2hlbWVzIjoiYmVhcmVyIiwic2NvcGUiOiJtYWlsIn0=");
        assertThat(dovecot.authReplies().get(1)).isEqualTo("535 5.7.8 Authentication failed.");
        assertThat(dovecot.errorChallengeAnswers()).as("an empty line answers XOAUTH2's error challenge").containsExactly("");
        assertThat(tokens.forcedRefreshes()).isEqualTo(1);
        assertThat(tokens.fetches()).isEqualTo(1);
        assertThat(dovecot.logins()).containsExactly(ACCOUNT + " XOAUTH2");
        await("empty queue", () -> queued().isEmpty());
    }

    @Test
    void deliveryShouldAnswerDovecotsOauthbearerErrorChallengeWithAQThenRefreshOnceAndDeliver() throws Exception {
        DovecotSubmission dovecot = dovecot();
        MockServerTokenSource tokens = source();
        tokens.withCachedToken(new MockServerTokenSource(ACCOUNT, tokenEndpoint("other"), t -> { }).fetch());
        startRelay(dovecot, "oauthbearer");

        relay.service(mail("m1"));

        await("delivery through Dovecot", () -> sink.getReceivedMessages().length == 1);
        assertThat(dovecot.authReplies()).hasSize(2);
        assertThat(dovecot.authReplies().get(0)).as("the error challenge {\"status\":\"invalid_token\"}").startsWith("334 ");
        assertThat(new String(java.util.Base64.getDecoder().decode(dovecot.authReplies().get(0).substring(4)),
            java.nio.charset.StandardCharsets.UTF_8)).contains("\"status\":\"invalid_token\"");
        assertThat(dovecot.authReplies().get(1)).isEqualTo("535 5.7.8 Authentication failed.");
        assertThat(dovecot.errorChallengeAnswers()).as("AQ== (a single 0x01) answers OAUTHBEARER's error challenge")
            .containsExactly("AQ==");
        assertThat(tokens.forcedRefreshes()).isEqualTo(1);
        assertThat(dovecot.logins()).containsExactly(ACCOUNT + " OAUTHBEARER");
    }

    @Test
    void deliveryShouldKeepTheMailQueuedWithoutRefreshingWhenDovecotCannotReachItsIntrospectionEndpoint() throws Exception {
        int closedPort = TestPorts.closedPort();
        DovecotSubmission dovecot = dovecot(URI.create("http://smarthost:secret@127.0.0.1:" + closedPort + "/relay/introspect"));
        MockServerTokenSource tokens = source();
        startRelay(dovecot, "xoauth2");

        relay.service(mail("m1"));

        await("re-queued", () -> queued().stream().anyMatch(v -> v.getMail().getAttribute(RelayDelivery.ATTEMPTS).isPresent()));
        ManageableMailQueue.MailQueueItemView view = queued().get(0);
        assertThat(view.getMail().getAttribute(RelayDelivery.LAST_ERROR).orElseThrow().getValue().getValue().toString())
            .contains("TRANSIENT", "454 4.7.0");
        assertThat(view.getNextDelivery().orElseThrow()).isBetween(ZonedDateTime.now().plusMinutes(9), ZonedDateTime.now().plusMinutes(11));
        assertThat(dovecot.authReplies()).as("a temporary failure, no error challenge").singleElement(
            org.assertj.core.api.InstanceOfAssertFactories.STRING).startsWith("454 4.7.0 Temporary authentication failure.");
        assertThat(tokens.forcedRefreshes()).as("a 4xx is not the token's fault").isZero();
        assertThat(sink.getReceivedMessages()).isEmpty();
        assertThat(relay.delivery().unhealthy()).isEmpty();
    }

    @Test
    void deliveryShouldPauseTheRouteAndExplainDovecotsChallengeWhenEvenAFreshTokenIsRefused() throws Exception {
        DovecotSubmission dovecot = dovecot();
        // every token this source gets comes from another issuer: Dovecot refuses the fresh one too
        MockServerTokenSource tokens = new MockServerTokenSource(ACCOUNT, tokenEndpoint("other"), t -> { });
        tokenSources.put("tenant-a", tokens);
        startRelay(dovecot, "xoauth2");

        relay.service(mail("m1"));
        await("re-queued", () -> queued().stream().anyMatch(v -> v.getMail().getAttribute(RelayDelivery.ATTEMPTS).isPresent()));
        relay.service(mail("m2"));
        await("m2 held", () -> queued().stream().anyMatch(v -> v.getMail().getName().equals("m2")
            && v.getMail().getAttribute(RelayDelivery.FIRST_FAILURE).isPresent()));

        assertThat(dovecot.authReplies()).as("m1: refused, refreshed once, refused again; m2 held without AUTH")
            .containsExactly("334 eyJzdGF0dXMiOiI0MDEiLCJzY2hlbWVzIjoiYmVhcmVyIiwic2NvcGUiOiJtYWlsIn0=",
                "535 5.7.8 Authentication failed.", "334 eyJzdGF0dXMiOiI0MDEiLCJzY2hlbWVzIjoiYmVhcmVyIiwic2NvcGUiOiJtYWlsIn0=",
                "535 5.7.8 Authentication failed.");
        assertThat(tokens.fetches()).isEqualTo(2);
        org.jamespack.relay.ops.RouteReport report = relay.view().routeReports(false).get(0);
        assertThat(report.pausedSince()).isPresent();
        assertThat(report.health().reason()).startsWith("paused since ")
            .contains("535 5.7.8", "challenge {\"status\":\"401\",\"schemes\":\"bearer\",\"scope\":\"mail\"}",
                "diagnosis: [challenge-401]");
        assertThat(report.diagnosis()).first(org.assertj.core.api.InstanceOfAssertFactories.STRING).startsWith("[challenge-401] ")
            .contains("scope mail");
        assertThat(sink.getReceivedMessages()).isEmpty();
    }
}
