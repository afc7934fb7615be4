package org.jamespack.relay.graph;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import org.apache.james.core.builder.MimeMessageBuilder;
import org.jamespack.relay.smtp.FailureKind;
import org.jamespack.relay.smtp.SenderRewrite;
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

import no.nav.security.mock.oauth2.MockOAuth2Server;

/**
 * The Graph transport against a local Graph over TLS that answers as Microsoft documents, with real tokens from
 * mock-oauth2-server (checked by introspection).
 */
class GraphTransportTest {

    private static MockOAuth2Server oauth;
    private static TestCa ca;
    private static SSLContext trust;

    private GraphStandIn graph;
    private GraphTransport transport;
    private GraphEndpoint endpoint;
    private final List<MockServerTokenSource> sources = new ArrayList<>();
    private LogCapture logs;

    @BeforeAll
    static void startServers() throws Exception {
        oauth = GraphOAuth.start();
        ca = TestCa.create("localhost");
        java.security.KeyStore ks = java.security.KeyStore.getInstance("PKCS12");
        try (java.io.InputStream in = java.nio.file.Files.newInputStream(ca.writeTrustStore(
            java.nio.file.Files.createTempFile("graph-trust", ".p12")))) {
            ks.load(in, TestCa.PASSWORD);
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        trust = SSLContext.getInstance("TLS");
        trust.init(null, tmf.getTrustManagers(), null);
    }

    @AfterAll
    static void stopServers() {
        oauth.shutdown();
    }

    @BeforeEach
    void setUp() throws Exception {
        logs = LogCapture.root();
        graph = new GraphStandIn(ca.serverContext(), GraphOAuth.tokenCheck(oauth), Optional.empty());
        endpoint = new GraphEndpoint(graph.baseUrl());
        transport = new GraphTransport(new GraphClient(Duration.ofSeconds(5), Duration.ofSeconds(10), Optional.of(trust),
            Clock.systemUTC()));
    }

    @AfterEach
    void tearDown() {
        graph.close();
        logs.close();
        List<String> tokens = new ArrayList<>();
        sources.forEach(s -> tokens.addAll(s.issued()));
        logs.assertNoSecret(tokens);
    }

    private MockServerTokenSource tokens(String issuer) {
        MockServerTokenSource s = new MockServerTokenSource("relay@a.example",
            URI.create(oauth.tokenEndpointUrl(issuer).toString()), t -> { });
        sources.add(s);
        return s;
    }

    private static byte[] message(String from, String subject, String to, String... cc) throws Exception {
        MimeMessageBuilder b = MimeMessageBuilder.mimeMessageBuilder().addFrom(from).addToRecipient(to).setSubject(subject)
            .setText("Hello through Graph");
        if (cc.length > 0) {
            b.addCcRecipient(cc);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        b.build().writeTo(out);
        return out.toByteArray();
    }

    @Test
    void sendShouldPostTheMimeMessageBase64EncodedAsTextPlainAndAnswerSentOn202() throws Exception {
        byte[] mime = message("relay@a.example", "graph m1", "rcpt@dest.example");

        GraphResult result = transport.send(endpoint, "relay@a.example", mime, List.of("rcpt@dest.example"), Optional.empty(),
            tokens(GraphOAuth.GRAPH));

        assertThat(result).isEqualTo(new GraphResult.Sent("relay@a.example"));
        assertThat(graph.requests()).singleElement().satisfies(r -> {
            assertThat(r.path()).isEqualTo("/v1.0/users/relay@a.example/sendMail");
            assertThat(r.contentType()).isEqualTo("text/plain");
            assertThat(r.bearer()).isPresent();
        });
        assertThat(graph.received()).singleElement().satisfies(m -> {
            assertThat(m.mime()).as("the message byte for byte").isEqualTo(mime);
            assertThat(m.recipients()).containsExactly("rcpt@dest.example");
        });
    }

    @Test
    void sendShouldMakeGraphSendToExactlyTheEnvelopeRecipients() throws Exception {
        // To names a local colleague (delivered by James itself); the envelope holds a blind copy the headers do not name
        byte[] mime = message("relay@a.example", "graph bcc", "colleague@a.example", "rcpt@dest.example");

        GraphResult result = transport.send(endpoint, "relay@a.example", mime, List.of("rcpt@dest.example", "blind@dest.example"),
            Optional.empty(), tokens(GraphOAuth.GRAPH));

        assertThat(result).isInstanceOf(GraphResult.Sent.class);
        GraphStandIn.Received got = graph.received().get(0);
        assertThat(got.recipients()).containsExactlyInAnyOrder("rcpt@dest.example", "blind@dest.example");
        String text = new String(got.mime(), StandardCharsets.UTF_8);
        assertThat(text).contains("Hello through Graph").doesNotContain("colleague@a.example");
    }

    @Test
    void sendShouldRefreshTheTokenOnceWhenGraphAnswers401AndSendAgain() throws Exception {
        MockServerTokenSource a = tokens(GraphOAuth.GRAPH);
        a.withCachedToken("revoked-token");

        GraphResult result = transport.send(endpoint, "relay@a.example", message("relay@a.example", "graph 401", "r@dest.example"),
            List.of("r@dest.example"), Optional.empty(), a);

        assertThat(result).isInstanceOf(GraphResult.Sent.class);
        assertThat(a.forcedRefreshes()).isEqualTo(1);
        assertThat(graph.requests()).extracting(GraphStandIn.Request::status).containsExactly(401, 202);
    }

    @Test
    void sendShouldCallTheCredentialBrokenWhenGraphRefusesTheRefreshedTokenToo() throws Exception {
        // a token for SMTP (audience outlook.office365.com): Graph refuses it, fresh or not
        MockServerTokenSource a = tokens(GraphOAuth.OUTLOOK);

        GraphResult result = transport.send(endpoint, "relay@a.example", message("relay@a.example", "graph 401", "r@dest.example"),
            List.of("r@dest.example"), Optional.empty(), a);

        assertThat(result).isInstanceOfSatisfying(GraphResult.Failed.class, f -> {
            assertThat(f.kind()).isEqualTo(FailureKind.CREDENTIAL_BROKEN);
            assertThat(f.detail()).contains("401", "InvalidAuthenticationToken", "again after a token refresh");
            assertThat(f.diagnosis()).contains("https://graph.microsoft.com/.default");
        });
        assertThat(a.forcedRefreshes()).isEqualTo(1);
        assertThat(graph.requests()).hasSize(2);
    }

    @Test
    void sendShouldReportThrottlingAsTransientWithGraphsRetryAfter() throws Exception {
        graph.enqueue(Reply.error(429, "ApplicationThrottled", "Application is over its MailboxConcurrency limit.")
            .withRetryAfter("17"));

        GraphResult result = transport.send(endpoint, "relay@a.example", message("relay@a.example", "graph 429", "r@dest.example"),
            List.of("r@dest.example"), Optional.empty(), tokens(GraphOAuth.GRAPH));

        assertThat(result).isInstanceOfSatisfying(GraphResult.Failed.class, f -> {
            assertThat(f.kind()).isEqualTo(FailureKind.TRANSIENT);
            assertThat(f.retryAfter()).contains(Duration.ofSeconds(17));
            assertThat(f.code()).isEqualTo("ApplicationThrottled");
        });
    }

    @Test
    void sendShouldReportAnOutageAsTransientWithItsRetryAfter() throws Exception {
        graph.enqueue(Reply.error(503, "ServiceUnavailable", "Service Unavailable").withRetryAfter("120"));

        GraphResult result = transport.send(endpoint, "relay@a.example", message("relay@a.example", "graph 503", "r@dest.example"),
            List.of("r@dest.example"), Optional.empty(), tokens(GraphOAuth.GRAPH));

        assertThat(result).isInstanceOfSatisfying(GraphResult.Failed.class, f -> {
            assertThat(f.kind()).isEqualTo(FailureKind.TRANSIENT);
            assertThat(f.retryAfter()).contains(Duration.ofMinutes(2));
        });
    }

    @Test
    void sendShouldBePermanentWithADiagnosisWhenTheMailboxMayNotSendAsTheFromAddress() throws Exception {
        GraphResult result = transport.send(endpoint, "relay@a.example", message("alice@a.example", "send as", "r@dest.example"),
            List.of("r@dest.example"), Optional.empty(), tokens(GraphOAuth.GRAPH));

        assertThat(result).isInstanceOfSatisfying(GraphResult.Failed.class, f -> {
            assertThat(f.kind()).isEqualTo(FailureKind.PERMANENT);
            assertThat(f.status()).isEqualTo(403);
            assertThat(f.code()).isEqualTo("ErrorSendAsDenied");
            assertThat(f.explanation()).contains("relay@a.example may not send as", "Send As", "rewriteSender");
        });
        assertThat(graph.received()).isEmpty();
    }

    @Test
    void sendShouldGoThroughWhenTheSenderIsRewrittenToTheMailbox() throws Exception {
        GraphResult result = transport.send(endpoint, "relay@a.example", message("alice@a.example", "rewritten", "r@dest.example"),
            List.of("r@dest.example"), Optional.of(new SenderRewrite("alice@a.example", "relay@a.example")),
            tokens(GraphOAuth.GRAPH));

        assertThat(result).isInstanceOf(GraphResult.Sent.class);
        assertThat(new String(graph.received().get(0).mime(), StandardCharsets.UTF_8)).contains("From: relay@a.example");
    }

    @Test
    void sendShouldBeAPolicyFailureNamingMailSendWhenTheTokenLacksThePermission() throws Exception {
        GraphResult result = transport.send(endpoint, "relay@a.example", message("relay@a.example", "no perm", "r@dest.example"),
            List.of("r@dest.example"), Optional.empty(), tokens(GraphOAuth.NO_PERMISSION));

        assertThat(result).isInstanceOfSatisfying(GraphResult.Failed.class, f -> {
            assertThat(f.kind()).isEqualTo(FailureKind.POLICY);
            assertThat(f.code()).isEqualTo("ErrorAccessDenied");
            assertThat(f.diagnosis()).contains("Mail.Send", "admin consent");
        });
    }

    @Test
    void sendShouldBePermanentForOther4xxWithGraphsCodeAndMessage() throws Exception {
        graph.enqueue(Reply.error(400, "ErrorInvalidRecipients", "At least one recipient isn't valid."));

        GraphResult result = transport.send(endpoint, "relay@a.example", message("relay@a.example", "400", "r@dest.example"),
            List.of("r@dest.example"), Optional.empty(), tokens(GraphOAuth.GRAPH));

        assertThat(result).isInstanceOfSatisfying(GraphResult.Failed.class, f -> {
            assertThat(f.kind()).isEqualTo(FailureKind.PERMANENT);
            assertThat(f.detail()).contains("HTTP 400 ErrorInvalidRecipients: At least one recipient isn't valid.");
        });
    }

    @Test
    void sendShouldRefuseAMessageOverGraphsRequestLimitWithoutCallingGraph() throws Exception {
        byte[] big = new byte[GraphMessage.MAX_REQUEST_BYTES / 4 * 3 + 3];
        java.util.Arrays.fill(big, (byte) 'x');
        byte[] head = message("relay@a.example", "big", "r@dest.example");
        byte[] mime = new byte[head.length + big.length];
        System.arraycopy(head, 0, mime, 0, head.length);
        System.arraycopy(big, 0, mime, head.length, big.length);
        MockServerTokenSource a = tokens(GraphOAuth.GRAPH);

        GraphResult result = transport.send(endpoint, "relay@a.example", mime, List.of("r@dest.example"), Optional.empty(), a);

        assertThat(result).isInstanceOfSatisfying(GraphResult.Unsendable.class, u -> {
            assertThat(u.dsnCode()).isEqualTo(552);
            assertThat(u.reason()).contains(mime.length + " bytes", "4 MB");
        });
        assertThat(graph.requests()).isEmpty();
        assertThat(a.fetches()).as("no token asked for a message that cannot go").isZero();
    }

    @Test
    void sendShouldNotCallGraphAndKeepTheCredentialBrokenWhenTheTokenSourceIsBroken() throws Exception {
        TokenSource broken = new TokenSource() {
            @Override
            public TokenOutcome token(boolean forceRefresh) {
                return new TokenOutcome.Failure(TokenOutcome.Kind.CREDENTIAL_BROKEN, "invalid_client: AADSTS7000215 bad secret");
            }

            @Override
            public String account() {
                return "relay@a.example";
            }
        };

        GraphResult result = transport.send(endpoint, "relay@a.example", message("relay@a.example", "x", "r@dest.example"),
            List.of("r@dest.example"), Optional.empty(), broken);

        assertThat(result).isInstanceOfSatisfying(GraphResult.Failed.class, f -> {
            assertThat(f.kind()).isEqualTo(FailureKind.CREDENTIAL_BROKEN);
            assertThat(f.detail()).contains("invalid_client");
        });
        assertThat(graph.requests()).isEmpty();
    }

    @Test
    void sendShouldBeTransientWhenGraphCannotBeReached() throws Exception {
        graph.close();

        GraphResult result = transport.send(endpoint, "relay@a.example", message("relay@a.example", "x", "r@dest.example"),
            List.of("r@dest.example"), Optional.empty(), tokens(GraphOAuth.GRAPH));

        assertThat(result).isInstanceOfSatisfying(GraphResult.Failed.class, f -> {
            assertThat(f.kind()).isEqualTo(FailureKind.TRANSIENT);
            assertThat(f.status()).isEqualTo(-1);
            assertThat(f.detail()).contains("cannot reach Graph");
        });
    }

    @Test
    void sendShouldNotTrustAGraphWhoseCertificateNoCaVouchesFor() throws Exception {
        GraphTransport untrusting = new GraphTransport(new GraphClient(Duration.ofSeconds(5), Duration.ofSeconds(10),
            Optional.empty(), Clock.systemUTC()));

        GraphResult result = untrusting.send(endpoint, "relay@a.example", message("relay@a.example", "x", "r@dest.example"),
            List.of("r@dest.example"), Optional.empty(), tokens(GraphOAuth.GRAPH));

        assertThat(result).isInstanceOfSatisfying(GraphResult.Failed.class, f -> assertThat(f.kind()).isEqualTo(FailureKind.TRANSIENT));
        assertThat(graph.requests()).isEmpty();
    }
}
