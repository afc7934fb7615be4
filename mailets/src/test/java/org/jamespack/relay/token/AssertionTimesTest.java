package org.jamespack.relay.token;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;

import org.jamespack.relay.token.TokenEndpointStandIn.Reply;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;

/**
 * JWT assertions (Google's JWT-bearer grant, Entra ID's certificate client assertion) are dated a
 * minute back, and an endpoint that refuses one for its times, as Google and Entra ID word it,
 * is a temporary failure that the next attempt retries, never a broken credential.
 */
class AssertionTimesTest {

    static final Instant NOW = Instant.parse("2026-12-06T08:00:00Z");
    static final String GOOGLE_SKEW = "{\"error\":\"invalid_grant\",\"error_description\":\"Invalid JWT: Token must be a"
        + " short-lived token (60 minutes) and in a reasonable timeframe. Check your iat and exp values in the JWT claim.\"}";
    static final String ENTRA_SKEW = "{\"error\":\"invalid_client\",\"error_description\":\"AADSTS700024: Client assertion"
        + " is not within its valid time range. Current time: 2026-12-06T08:00:00.0000000Z, assertion valid from"
        + " 2026-12-06T08:10:00.0000000Z, expiry time of assertion 2026-12-06T08:15:00.0000000Z. Trace ID: 0 Correlation"
        + " ID: 0 Timestamp: 2026-12-06 08:00:00Z\",\"error_codes\":[700024]}";

    private TokenEndpointStandIn endpoint;
    private KeyPair pair;
    private final Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);

    @BeforeEach
    void start() throws Exception {
        endpoint = new TokenEndpointStandIn();
        pair = TestKeys.rsa();
    }

    @AfterEach
    void stop() {
        endpoint.close();
    }

    private JwtBearerGrantCall google() {
        return new JwtBearerGrantCall(EndpointSettings.of(endpoint.uri()), "relay@p.iam.gserviceaccount.com",
            "alice@example.org", pair.getPrivate(), Optional.of("kid-1"), Optional.empty(), Duration.ofHours(1), clock);
    }

    private ClientCredentialsGrantCall entra() throws Exception {
        return ClientCredentialsGrantCall.withCertificate(EndpointSettings.of(endpoint.uri()), "app-1", pair.getPrivate(),
            TestKeys.selfSigned(pair, "app"), Optional.of("https://outlook.office365.com/.default"), clock);
    }

    @Test
    void jwtBearerAssertionShouldBeIssuedAndValidFromAMinuteBackAndLastAtMostAnHourFromThen() throws Exception {
        JWTClaimsSet claims = google().assertion().getJWTClaimsSet();

        assertThat(claims.getIssueTime().toInstant()).isEqualTo(NOW.minusSeconds(60));
        assertThat(claims.getNotBeforeTime().toInstant()).isEqualTo(NOW.minusSeconds(60));
        assertThat(Duration.between(claims.getIssueTime().toInstant(), claims.getExpirationTime().toInstant()))
            .isEqualTo(Duration.ofHours(1));
    }

    @Test
    void clientAssertionShouldBeIssuedAndValidFromAMinuteBack() throws Exception {
        entra().obtain(Optional.empty());

        JWTClaimsSet claims = SignedJWT.parse(endpoint.requests().get(0).get("client_assertion")).getJWTClaimsSet();
        assertThat(claims.getIssueTime().toInstant()).isEqualTo(NOW.minusSeconds(60));
        assertThat(claims.getNotBeforeTime().toInstant()).isEqualTo(NOW.minusSeconds(60));
        assertThat(claims.getExpirationTime().toInstant()).isAfter(NOW);
    }

    @Test
    void googleRefusingTheAssertionTimesShouldBeTransientAndNameTheClock() {
        endpoint.replies(n -> new Reply(400, GOOGLE_SKEW));

        GrantResult result = google().obtain(Optional.empty());

        assertThat(result).isInstanceOfSatisfying(GrantResult.Failed.class, f -> {
            assertThat(f.kind()).isEqualTo(TokenOutcome.Kind.TRANSIENT);
            assertThat(f.detail()).contains("invalid_grant", "check this server's clock (NTP)");
        });
    }

    @Test
    void entraRefusingTheAssertionTimesShouldBeTransientAndNameTheClock() throws Exception {
        endpoint.replies(n -> new Reply(401, ENTRA_SKEW));

        GrantResult result = entra().obtain(Optional.empty());

        assertThat(result).isInstanceOfSatisfying(GrantResult.Failed.class, f -> {
            assertThat(f.kind()).isEqualTo(TokenOutcome.Kind.TRANSIENT);
            assertThat(f.detail()).contains("AADSTS700024", "check this server's clock (NTP)");
        });
    }

    @Test
    void aSkewRefusalShouldNotLatchTheSourceAsBrokenSoTheNextAttemptCallsTheEndpointAgain() {
        endpoint.replies(n -> n == 1 ? new Reply(400, GOOGLE_SKEW) : Reply.token("access-" + n, 3600, null));
        RefreshingTokenSource source = RefreshingTokenSource.inMemory("alice@example.org", "google", google(),
            Optional.empty(), Duration.ofMinutes(5), clock);

        assertThat(source.token(false)).isInstanceOfSatisfying(TokenOutcome.Failure.class,
            f -> assertThat(f.kind()).isEqualTo(TokenOutcome.Kind.TRANSIENT));
        assertThat(source.token(false)).isInstanceOfSatisfying(TokenOutcome.Token.class,
            t -> assertThat(t.accessToken().reveal()).isEqualTo("access-2"));
        assertThat(source.status().broken()).isFalse();
    }

    @Test
    void anInvalidGrantForAnyOtherReasonShouldStillBeABrokenCredential() {
        endpoint.replies(n -> Reply.error(400, "invalid_grant"));

        assertThat(google().obtain(Optional.empty())).isInstanceOfSatisfying(GrantResult.Failed.class,
            f -> assertThat(f.kind()).isEqualTo(TokenOutcome.Kind.CREDENTIAL_BROKEN));
    }
}
