package org.jamespack.relay.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import org.jamespack.relay.ops.RouteHealth.State;
import org.jamespack.relay.token.TokenOutcome;
import org.jamespack.relay.token.TokenStatus;
import org.junit.jupiter.api.Test;

class RouteHealthTest {

    static final Instant NOW = Instant.parse("2026-11-23T12:00:00Z");
    static final Duration MAX_AGE = Duration.ofDays(60);

    static TokenStatus status(Optional<Instant> expiry, Optional<String> failure, boolean broken, Optional<Duration> age, long calls) {
        return new TokenStatus("alice@example.org", "tokenSource m365", expiry, Optional.of(NOW.minusSeconds(60)),
            failure.map(f -> broken ? TokenOutcome.Kind.CREDENTIAL_BROKEN : TokenOutcome.Kind.TRANSIENT), failure, broken, age, calls);
    }

    static RouteHealth health(Optional<String> gate, TokenStatus status) {
        return RouteHealth.of(gate, Optional.of(status), NOW, MAX_AGE);
    }

    @Test
    void ofShouldBeHealthyWhenTokenValidAndNoFailure() {
        assertThat(health(Optional.empty(), status(Optional.of(NOW.plusSeconds(600)), Optional.empty(), false, Optional.empty(), 1)))
            .isEqualTo(new RouteHealth(State.HEALTHY, ""));
    }

    @Test
    void ofShouldBeDegradedWhenRefreshFailsButTokenStillValid() {
        RouteHealth h = health(Optional.empty(), status(Optional.of(NOW.plusSeconds(60)), Optional.of("HTTP 503"), false,
            Optional.empty(), 2));
        assertThat(h.state()).isEqualTo(State.DEGRADED);
        assertThat(h.reason()).startsWith("refresh failing, token valid until 2026-11-23T12:01:00Z").endsWith("HTTP 503");
    }

    @Test
    void ofShouldBeDegradedWhenRefreshTokenOlderThanMaxAge() {
        RouteHealth h = health(Optional.empty(), status(Optional.of(NOW.plusSeconds(600)), Optional.empty(), false,
            Optional.of(Duration.ofDays(61)), 5));
        assertThat(h.state()).isEqualTo(State.DEGRADED);
        assertThat(h.reason()).startsWith("refresh token is 61 days old (more than 60)");
    }

    @Test
    void ofShouldBeUnhealthyWhenTokenExpiredAndRefreshFailed() {
        RouteHealth h = health(Optional.empty(), status(Optional.of(NOW.minusSeconds(1)), Optional.of("HTTP 503"), false,
            Optional.empty(), 3));
        assertThat(h).isEqualTo(new RouteHealth(State.UNHEALTHY, "no valid token: HTTP 503"));
    }

    @Test
    void ofShouldBeUnhealthyWhenCredentialBrokenEvenWithValidToken() {
        RouteHealth h = health(Optional.of("535 5.7.8"), status(Optional.of(NOW.plusSeconds(600)), Optional.of("invalid_grant"), true,
            Optional.empty(), 3));
        assertThat(h).isEqualTo(new RouteHealth(State.UNHEALTHY, "credential broken: invalid_grant"));
    }

    @Test
    void ofShouldBeUnhealthyWhenSmarthostRefusedByPolicy() {
        RouteHealth h = RouteHealth.of(Optional.of("535 5.7.139 SMTP AUTH disabled"), Optional.empty(), NOW, MAX_AGE);
        assertThat(h).isEqualTo(new RouteHealth(State.UNHEALTHY, "delivery refused: 535 5.7.139 SMTP AUTH disabled"));
    }

    @Test
    void ofShouldBeHealthyWhenNoTokenFetchedYet() {
        assertThat(health(Optional.empty(), status(Optional.empty(), Optional.empty(), false, Optional.empty(), 0)))
            .isEqualTo(new RouteHealth(State.HEALTHY, "no token fetched yet"));
    }

    @Test
    void worstShouldPickTheWorseState() {
        assertThat(State.HEALTHY.worst(State.DEGRADED)).isEqualTo(State.DEGRADED);
        assertThat(State.UNHEALTHY.worst(State.DEGRADED)).isEqualTo(State.UNHEALTHY);
    }
}
