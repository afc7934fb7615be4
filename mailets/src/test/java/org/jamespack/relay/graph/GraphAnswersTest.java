package org.jamespack.relay.graph;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Optional;

import org.jamespack.foundation.Secret;
import org.jamespack.relay.smtp.FailureKind;
import org.junit.jupiter.api.Test;

/** Graph's answers, URL rules and token checks that need no server. */
class GraphAnswersTest {

    private static final Instant NOW = Instant.parse("2026-12-06T08:00:00Z");

    private static GraphResult.Failed failed(int status, Optional<String> retryAfter, String body) {
        GraphResult r = GraphAnswers.classify(status, retryAfter, body, "Graph test", "relay@a.example", "tok-123", NOW);
        assertThat(r).isInstanceOf(GraphResult.Failed.class);
        return (GraphResult.Failed) r;
    }

    @Test
    void classifyShouldNeverTakeAnUndocumentedSuccessOrARedirectForADelivery() {
        assertThat(failed(200, Optional.empty(), "").kind()).isEqualTo(FailureKind.TRANSIENT);
        assertThat(failed(302, Optional.empty(), "").kind()).isEqualTo(FailureKind.TRANSIENT);
        assertThat(GraphAnswers.classify(202, Optional.empty(), "", "Graph test", "relay@a.example", "t", NOW))
            .isEqualTo(new GraphResult.Sent("relay@a.example"));
    }

    @Test
    void classifyShouldJudgeAnAnswerThatIsNotGraphsJsonByItsStatusAlone() {
        GraphResult.Failed f = failed(502, Optional.empty(), "<html>Bad Gateway</html>");
        assertThat(f.kind()).isEqualTo(FailureKind.TRANSIENT);
        assertThat(f.code()).isEmpty();
        assertThat(failed(400, Optional.empty(), "not json").kind()).isEqualTo(FailureKind.PERMANENT);
    }

    @Test
    void classifyShouldTakeRetryAfterAsSecondsOrAnHttpDate() {
        String date = DateTimeFormatter.RFC_1123_DATE_TIME.format(NOW.plusSeconds(90).atOffset(ZoneOffset.UTC));
        assertThat(failed(503, Optional.of(date), "").retryAfter()).contains(Duration.ofSeconds(90));
        assertThat(failed(429, Optional.of("30"), "").retryAfter()).contains(Duration.ofSeconds(30));
        assertThat(failed(429, Optional.of("soon"), "").retryAfter()).isEmpty();
        assertThat(failed(429, Optional.of("-5"), "").retryAfter()).isEmpty();
        assertThat(failed(429, Optional.of("999999"), "").retryAfter()).as("absurd values fall back to the schedule").isEmpty();
    }

    @Test
    void classifyShouldCutAnEchoedTokenOutOfGraphsMessage() {
        GraphResult.Failed f = failed(400, Optional.empty(),
            "{\"error\":{\"code\":\"BadRequest\",\"message\":\"token tok-123 is odd\"}}");
        assertThat(f.detail()).contains("BadRequest", "[redacted]").doesNotContain("tok-123");
    }

    @Test
    void classifyShouldTellTheRouteWideRefusalsFromTheMessagesOwn() {
        assertThat(failed(403, Optional.empty(), "{\"error\":{\"code\":\"ErrorSendAsDenied\",\"message\":\"x\"}}").kind())
            .isEqualTo(FailureKind.PERMANENT);
        assertThat(failed(403, Optional.empty(), "{\"error\":{\"code\":\"ErrorAccessDenied\",\"message\":\"x\"}}").kind())
            .isEqualTo(FailureKind.POLICY);
        assertThat(failed(404, Optional.empty(), "{\"error\":{\"code\":\"ErrorInvalidUser\",\"message\":\"x\"}}").kind())
            .isEqualTo(FailureKind.POLICY);
        assertThat(failed(413, Optional.empty(), "").kind()).isEqualTo(FailureKind.PERMANENT);
        assertThat(failed(401, Optional.empty(), "").kind()).isEqualTo(FailureKind.TOKEN_STALE);
        assertThat(failed(401, Optional.empty(), "").afterRefresh().kind()).isEqualTo(FailureKind.CREDENTIAL_BROKEN);
    }

    @Test
    void endpointShouldBeHttpsExceptOnLoopbackAsTokenEndpointsAre() {
        assertThat(GraphEndpoint.parse("https://graph.microsoft.us/v1.0/").sendMail("a b@x.example"))
            .hasToString("https://graph.microsoft.us/v1.0/users/a%20b@x.example/sendMail");
        assertThat(GraphEndpoint.parse("http://127.0.0.1:8080/v1.0").hostPort()).isEqualTo("127.0.0.1:8080");
        assertThat(GraphEndpoint.GLOBAL.hostPort()).isEqualTo("graph.microsoft.com:443");
        assertThatThrownBy(() -> GraphEndpoint.parse("http://graph.example/v1.0")).hasMessageContaining("must be https");
        assertThatThrownBy(() -> GraphEndpoint.parse("https://u:p@graph.example/v1.0")).hasMessageContaining("user information");
        assertThatThrownBy(() -> GraphEndpoint.parse("graph.example")).hasMessageContaining("absolute URL");
    }

    @Test
    void tokenCheckShouldReadMailSendFromRolesOrScpAndTheAudience() {
        assertThat(GraphTokenCheck.check(jwt("{\"aud\":\"https://graph.microsoft.com\",\"roles\":[\"Mail.Send\"]}"),
            GraphEndpoint.GLOBAL).state()).isEqualTo(GraphTokenCheck.State.OK);
        assertThat(GraphTokenCheck.check(jwt("{\"aud\":\"00000003-0000-0000-c000-000000000000\",\"scp\":\"Mail.Send User.Read\"}"),
            GraphEndpoint.GLOBAL).state()).isEqualTo(GraphTokenCheck.State.OK);
        GraphTokenCheck.Report missing = GraphTokenCheck.check(jwt("{\"aud\":\"https://graph.microsoft.com\",\"roles\":[\"User.Read.All\"]}"),
            GraphEndpoint.GLOBAL);
        assertThat(missing.state()).isEqualTo(GraphTokenCheck.State.FAIL);
        assertThat(String.join("\n", missing.lines())).contains("no Mail.Send");
        GraphTokenCheck.Report smtp = GraphTokenCheck.check(jwt("{\"aud\":\"https://outlook.office365.com\",\"roles\":[\"Mail.Send\"]}"),
            GraphEndpoint.GLOBAL);
        assertThat(smtp.state()).isEqualTo(GraphTokenCheck.State.FAIL);
        assertThat(String.join("\n", smtp.lines())).contains("not Graph", "https://graph.microsoft.com/.default");
        assertThat(GraphTokenCheck.check(Secret.of("EwBwA8l6BAAU-opaque"), GraphEndpoint.GLOBAL).state())
            .isEqualTo(GraphTokenCheck.State.UNKNOWN);
    }

    private static Secret jwt(String claims) {
        java.util.Base64.Encoder b64 = java.util.Base64.getUrlEncoder().withoutPadding();
        return Secret.of(b64.encodeToString("{\"alg\":\"RS256\",\"typ\":\"JWT\"}".getBytes()) + "."
            + b64.encodeToString(claims.getBytes()) + "." + b64.encodeToString("sig".getBytes()));
    }
}
