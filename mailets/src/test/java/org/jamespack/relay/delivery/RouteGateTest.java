package org.jamespack.relay.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;

import org.jamespack.relay.route.SendingLimits;
import org.junit.jupiter.api.Test;

class RouteGateTest {

    private static final Instant T0 = Instant.parse("2026-11-23T12:00:00Z");

    @Test
    void admitShouldAllowThirtyMessagesPerMinuteWithTheM365Preset() {
        RouteGate gate = new RouteGate("relay@example.org", SendingLimits.M365, Duration.ofMinutes(1), Duration.ofMinutes(30));

        for (int i = 0; i < 30; i++) {
            assertThat(gate.admit(1, T0.plusSeconds(i))).isEmpty();
        }
        assertThat(gate.admit(1, T0.plusSeconds(30))).contains(Duration.ofSeconds(30).plusMillis(1));
        assertThat(gate.admit(1, T0.plusSeconds(60))).isEmpty();
    }

    @Test
    void admitShouldHoldRecipientsBeyondTheDailyLimitUntilTheOldestLeaveTheWindow() {
        RouteGate gate = new RouteGate("a", new SendingLimits(0, 100, 1), Duration.ofMinutes(1), Duration.ofMinutes(30));

        assertThat(gate.admit(60, T0)).isEmpty();
        assertThat(gate.admit(40, T0.plusSeconds(10))).isEmpty();
        assertThat(gate.admit(1, T0.plusSeconds(20))).contains(Duration.ofDays(1).minusSeconds(20).plusMillis(1));
        assertThat(gate.admit(1, T0.plus(Duration.ofDays(1)))).isEmpty();
    }

    @Test
    void backOffShouldDoubleUpToTheMaximumAndResetOnSuccess() {
        RouteGate gate = new RouteGate("a", SendingLimits.UNLIMITED, Duration.ofMinutes(1), Duration.ofMinutes(5));

        assertThat(gate.backOff(T0)).isEqualTo(Duration.ofMinutes(1));
        assertThat(gate.admit(1, T0.plusSeconds(30))).contains(Duration.ofSeconds(30));
        assertThat(gate.backOff(T0)).isEqualTo(Duration.ofMinutes(2));
        assertThat(gate.backOff(T0)).isEqualTo(Duration.ofMinutes(4));
        assertThat(gate.backOff(T0)).isEqualTo(Duration.ofMinutes(5));
        gate.succeeded();
        assertThat(gate.backOff(T0)).isEqualTo(Duration.ofMinutes(1));
    }
}
