package org.jamespack.relay;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import javax.mail.Multipart;
import javax.mail.Part;
import javax.mail.internet.ContentType;
import javax.mail.internet.MimeMessage;

import org.apache.james.core.MailAddress;
import org.apache.james.core.builder.MimeMessageBuilder;
import org.apache.james.queue.api.MailQueueName;
import org.apache.james.queue.api.RawMailQueueItemDecoratorFactory;
import org.apache.james.queue.memory.MemoryMailQueueFactory;
import org.apache.mailet.Mail;
import org.apache.mailet.base.test.FakeMail;
import org.apache.mailet.base.test.FakeMailContext;
import org.jamespack.foundation.Secret;
import org.jamespack.relay.delivery.DeliveryOutcome;
import org.jamespack.relay.delivery.MailetBounces;
import org.jamespack.relay.delivery.RelayDelivery;
import org.jamespack.relay.delivery.RelaySettings;
import org.jamespack.relay.ops.RelayMetrics;
import org.jamespack.relay.ops.RouteHealth;
import org.jamespack.relay.ops.RouteReport;
import org.jamespack.relay.ops.RouteReports;
import org.jamespack.relay.route.Route;
import org.jamespack.relay.route.RouteSource;
import org.jamespack.relay.route.SmartHostsParser;
import org.jamespack.relay.smtp.SmtpConnector;
import org.jamespack.relay.smtp.SmtpSettings;
import org.jamespack.relay.testing.GraphOAuth;
import org.jamespack.relay.testing.GraphStandIn;
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

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import no.nav.security.mock.oauth2.MockOAuth2Server;

/**
 * The route-wide pause and the delay warning against real peers: a Dovecot-style smarthost (GreenMail behind the
 * STARTTLS front, answering refused tokens with the 334 JSON challenge and 535), real tokens from mock-oauth2-server,
 * the relay's own SMTP client. The queue is played here on a clock the test moves: each message comes back when its
 * re-queue delay says, so hours of retries take a moment and every AUTH and token endpoint call can be counted.
 */
class RoutePauseTest {

    private static final Duration INTERVAL = Duration.ofMinutes(5);
    private static final String SENDER = "alice@a.example";

    private static MockOAuth2Server oauth;
    private static TestCa ca;

    @TempDir
    Path dir;

    private GreenMail smarthost;
    private SmtpFront front;
    private SmtpConnector connector;
    private FakeMailContext context;
    private TestClock clock;
    private LogCapture logs;
    private final List<Queued> queue = new ArrayList<>();

    private record Queued(Mail mail, Instant due) {
    }

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
    void setUp() throws Exception {
        smarthost = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP).dynamicPort());
        smarthost.start();
        Path trust = ca.writeTrustStore(dir.resolve("trust.p12"));
        connector = new SmtpConnector(SmtpSettings.defaults().withTrustStore(trust, Optional.of(Secret.of(new String(TestCa.PASSWORD))),
            "PKCS12"));
        context = FakeMailContext.defaultContext();
        clock = new TestClock(Instant.parse("2026-12-06T08:00:00Z"));
        logs = LogCapture.root();
    }

    @AfterEach
    void tearDown() throws Exception {
        logs.close();
        connector.close();
        if (front != null) {
            front.close();
        }
        smarthost.stop();
    }

    private RelayDelivery delivery(TokenSource source) {
        front = front == null ? null : front;
        List<Route> routes = SmartHostsParser.parse("a.example: host=localhost::" + front.port()
            + " helo=relay.test user=relay@a.example oauth=tenant-a\n", "test routes").routes();
        RouteSource routeSource = new RouteSource(routes, List.of(), Duration.ofSeconds(10), clock);
        RelaySettings settings = RelaySettings.defaults().withHolds(INTERVAL, Duration.ofHours(4));
        return new RelayDelivery(routeSource, route -> Optional.of(source), connector, settings,
            new MailetBounces(context, Optional.of("bounces"), Optional.of("relay.test")), clock);
    }

    private void enqueue(int n) throws Exception {
        for (int i = 0; i < n; i++) {
            queue.add(new Queued(FakeMail.builder().name("m" + i).sender(SENDER).recipients("rcpt" + i + "@dest.example")
                .mimeMessage(MimeMessageBuilder.mimeMessageBuilder().addFrom(SENDER).addToRecipient("rcpt" + i + "@dest.example")
                    .setSubject("pause test " + i).setText("Hello " + i))
                .build(), clock.instant()));
        }
    }

    /** Plays the queue until {@code end}: the earliest due message is delivered at its due time, re-queued as told. */
    private void runUntil(RelayDelivery delivery, Instant end) {
        while (!queue.isEmpty()) {
            Queued next = queue.stream().min(Comparator.comparing(Queued::due)).orElseThrow();
            if (next.due().isAfter(end)) {
                break;
            }
            queue.remove(next);
            clock.set(next.due().isAfter(clock.instant()) ? next.due() : clock.instant());
            DeliveryOutcome outcome = delivery.deliver(next.mail());
            if (outcome instanceof DeliveryOutcome.Requeue r) {
                queue.add(new Queued(next.mail(), clock.instant().plus(r.delay())));
            }
        }
        clock.set(end);
    }

    private long authAttempts() {
        return front.commands().stream().filter(c -> c.startsWith("AUTH")).count();
    }

    private List<FakeMailContext.SentMail> delayWarnings() {
        return context.getSentMails().stream().filter(m -> m.getState() == null || !m.getState().equals("bounces")).toList();
    }

    @Test
    void aRefusedAuthShouldPauseTheRouteToOneProbePerIntervalAndDrainTheQueueWhenFixed() throws Exception {
        AtomicBoolean fixed = new AtomicBoolean();
        AtomicReference<String> latest = new AtomicReference<>("");
        front = new SmtpFront(SmtpFront.Mode.STARTTLS, ca.serverContext(), smarthost.getSmtp().getPort())
            .dovecotStyleAuth(t -> fixed.get() && t.equals(latest.get()));
        URI endpoint = oauth.tokenEndpointUrl("relay").uri();
        MockServerTokenSource source = new MockServerTokenSource("relay@a.example", endpoint, latest::set);
        RelayDelivery delivery = delivery(source);
        Instant t0 = clock.instant();
        enqueue(20);

        runUntil(delivery, t0.plusSeconds(1));

        // the first message: AUTH refused, the token refreshed once, refused again; the other 19 wait untouched
        assertThat(authAttempts()).isEqualTo(2);
        assertThat(source.fetches()).isEqualTo(2);
        assertThat(front.errorAnswers()).hasSize(2);
        assertThat(logs.events()).filteredOn(e -> e.getFormattedMessage().startsWith("RELAY ROUTE PAUSED")).singleElement()
            .satisfies(e -> assertThat(e.getFormattedMessage()).contains("535 5.7.8", "challenge {\"status\":\"401\"",
                "diagnosis: [challenge-401]"));

        for (int k = 1; k <= 6; k++) {
            runUntil(delivery, t0.plus(INTERVAL.multipliedBy(k)).plusSeconds(1));
            assertThat(authAttempts()).as("AUTH attempts after %d intervals", k).isEqualTo(2 + k);
            assertThat(source.fetches()).as("token endpoint calls after %d intervals", k).isEqualTo(2 + k);
        }
        assertThat(front.connections()).isEqualTo(2 + 6);
        assertThat(smarthost.getReceivedMessages()).isEmpty();
        assertThat(queue).hasSize(20);

        RouteReports reports = new RouteReports("relay", "xoauth2-relay", new MemoryMailQueueFactory(
            new RawMailQueueItemDecoratorFactory()).createQueue(MailQueueName.of("q")), routeSource(delivery), route -> Optional.of(source),
            delivery, RelayMetrics.NONE, clock, Duration.ofDays(60));
        RouteReport report = reports.routeReports(false).get(0);
        assertThat(report.health().state()).isEqualTo(RouteHealth.State.UNHEALTHY);
        assertThat(report.health().reason()).startsWith("paused since " + t0).contains("535 5.7.8", "diagnosis: [challenge-401]");
        assertThat(report.pausedSince()).contains(t0);
        assertThat(report.nextProbe()).isPresent();
        assertThat(report.diagnosis()).anyMatch(d -> d.startsWith("[challenge-401]") && d.contains("scope mail"));

        fixed.set(true);
        runUntil(delivery, clock.instant().plus(INTERVAL).plusSeconds(1));

        assertThat(smarthost.getReceivedMessages()).hasSize(20);
        assertThat(queue).isEmpty();
        assertThat(delivery.gate(route(delivery)).pausedSince()).isEmpty();
        assertThat(context.getSentMails()).as("nothing bounced, no warning before the hold").isEmpty();
    }

    @Test
    void aBrokenCredentialShouldHoldTheRouteWithoutSmarthostAndWarnEachSenderOnceAfterTheHold() throws Exception {
        front = new SmtpFront(SmtpFront.Mode.STARTTLS, ca.serverContext(), smarthost.getSmtp().getPort());
        AtomicInteger asked = new AtomicInteger();
        AtomicBoolean fixed = new AtomicBoolean();
        URI endpoint = oauth.tokenEndpointUrl("relay").uri();
        MockServerTokenSource good = new MockServerTokenSource("relay@a.example", endpoint,
            t -> smarthost.setUser("relay@a.example", "relay@a.example", t));
        TokenSource source = brokenUntilFixed(good, fixed, asked, "token endpoint"
            + " https://login.microsoftonline.com/common/oauth2/v2.0/token answered HTTP 400: invalid_grant"
            + " (AADSTS700082: The refresh token has expired due to inactivity.)");
        RelayDelivery delivery = delivery(source);
        Instant t0 = clock.instant();
        enqueue(3);

        runUntil(delivery, t0.plus(Duration.ofHours(1)).plusSeconds(1));

        assertThat(asked.get()).as("one token request, then one per probe").isEqualTo(1 + 12);
        assertThat(front.connections()).isZero();
        assertThat(logs.events()).anyMatch(e -> e.getFormattedMessage().startsWith("RELAY ROUTE PAUSED")
            && e.getFormattedMessage().contains("diagnosis: [AADSTS700082]"));
        assertThat(delayWarnings()).isEmpty();

        runUntil(delivery, t0.plus(Duration.ofHours(4)).plus(INTERVAL).plusSeconds(1));
        runUntil(delivery, t0.plus(Duration.ofHours(9)));

        List<FakeMailContext.SentMail> warnings = delayWarnings();
        assertThat(warnings).as("exactly one warning per held message").hasSize(3);
        assertThat(queue).hasSize(3).allMatch(q -> q.mail().getAttribute(RelayDelivery.DELAY_WARNED).isPresent());
        FakeMailContext.SentMail warning = warnings.get(0);
        assertThat(warning.getSender()).isEqualTo(MailAddress.nullSender());
        assertThat(warning.getRecipients()).containsExactly(new MailAddress(SENDER));
        MimeMessage dsn = warning.getMsg();
        ContentType type = new ContentType(dsn.getContentType());
        assertThat(type.getBaseType()).isEqualToIgnoringCase("multipart/report");
        assertThat(type.getParameter("report-type")).isEqualTo("delivery-status");
        Multipart parts = (Multipart) dsn.getContent();
        assertThat(parts.getCount()).isEqualTo(3);
        Part status = parts.getBodyPart(1);
        assertThat(new ContentType(status.getContentType()).getBaseType()).isEqualToIgnoringCase("message/delivery-status");
        String fields = new String(status.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(fields).contains("Reporting-MTA: dns; relay.test", "Final-Recipient: rfc822; rcpt", "Action: delayed",
            "Status: 4.7.0", "Diagnostic-Code: X-XOAuth2-Relay; ", "invalid_grant");
        assertThat(new ContentType(parts.getBodyPart(2).getContentType()).getBaseType()).isEqualToIgnoringCase("text/rfc822-headers");

        // a restart: the journal gives back the mail with its attributes, and a new relay sends no second warning
        RelayDelivery restarted = delivery(source);
        runUntil(restarted, clock.instant().plus(Duration.ofHours(2)));
        assertThat(delayWarnings()).hasSize(3);

        fixed.set(true);
        runUntil(restarted, clock.instant().plus(INTERVAL).plusSeconds(1));

        assertThat(smarthost.getReceivedMessages()).hasSize(3);
        assertThat(queue).isEmpty();
        assertThat(context.getSentMails()).as("no bounce, only the three warnings").hasSize(3);
    }

    @Test
    void aGraphRouteWithABrokenCredentialShouldPauseAsAWholeAndDrainWhenFixed() throws Exception {
        MockServerTokenSource good;
        MockOAuth2Server graphOAuth = GraphOAuth.start();
        try (GraphStandIn graph = new GraphStandIn(ca.serverContext(), GraphOAuth.tokenCheck(graphOAuth), Optional.empty())) {
            graph.grantSendAs("relay@a.example", SENDER);
            good = new MockServerTokenSource("relay@a.example", URI.create(graphOAuth.tokenEndpointUrl(GraphOAuth.GRAPH).toString()),
                t -> { });
            AtomicInteger asked = new AtomicInteger();
            AtomicBoolean fixed = new AtomicBoolean();
            TokenSource source = brokenUntilFixed(good, fixed, asked, "token endpoint answered HTTP 401: "
                + "invalid_client (AADSTS7000215: Invalid client secret provided.)");
            List<Route> routes = SmartHostsParser.parse("a.example: transport=graph graph-url=" + graph.baseUrl()
                + " user=relay@a.example oauth=graph-a\n", "test routes").routes();
            RelayDelivery delivery = new RelayDelivery(new RouteSource(routes, List.of(), Duration.ofSeconds(10), clock),
                route -> Optional.of(source), connector, RelaySettings.defaults().withHolds(INTERVAL, Duration.ofHours(4)),
                new MailetBounces(context, Optional.of("bounces"), Optional.of("relay.test")), clock);
            Instant t0 = clock.instant();
            enqueue(3);

            runUntil(delivery, t0.plus(Duration.ofHours(1)).plusSeconds(1));

            assertThat(asked.get()).as("one token request, then one per probe, not one per message").isEqualTo(1 + 12);
            assertThat(graph.requests()).isEmpty();
            assertThat(logs.events()).anyMatch(e -> e.getFormattedMessage().startsWith("RELAY ROUTE PAUSED")
                && e.getFormattedMessage().contains("AADSTS7000215"));

            fixed.set(true);
            runUntil(delivery, clock.instant().plus(INTERVAL).plusSeconds(1));

            assertThat(graph.received()).hasSize(3);
            assertThat(queue).isEmpty();
            assertThat(context.getSentMails()).as("no bounce").isEmpty();
        } finally {
            graphOAuth.shutdown();
        }
    }

    /** A token source that fails with {@code failure} (CREDENTIAL_BROKEN) until {@code fixed}, then is {@code good}; counts calls. */
    private static TokenSource brokenUntilFixed(TokenSource good, AtomicBoolean fixed, AtomicInteger asked, String failure) {
        return new TokenSource() {
            @Override
            public TokenOutcome token(boolean forceRefresh) {
                asked.incrementAndGet();
                return fixed.get() ? good.token(forceRefresh) : new TokenOutcome.Failure(TokenOutcome.Kind.CREDENTIAL_BROKEN, failure);
            }

            @Override
            public String account() {
                return "relay@a.example";
            }
        };
    }

    private static Route route(RelayDelivery delivery) {
        return delivery.routeFor(FakeMailLike.of()).orElseThrow();
    }

    private RouteSource routeSource(RelayDelivery delivery) {
        return new RouteSource(List.of(route(delivery)), List.of(), Duration.ofSeconds(10), clock);
    }

    /** A mail of the sender, for route look-ups. */
    private static final class FakeMailLike {
        static Mail of() {
            try {
                return FakeMail.builder().name("lookup").sender(SENDER).recipient("x@dest.example").build();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** A clock the test sets. */
    private static final class TestClock extends Clock {
        private final AtomicReference<Instant> now;

        TestClock(Instant start) {
            now = new AtomicReference<>(start);
        }

        void set(Instant t) {
            now.set(t);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now.get();
        }
    }
}
