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

    @Test
    void pauseForShouldHoldTheRouteForTheProvidersWaitWithoutRaisingTheBackOff() {
        RouteGate gate = new RouteGate("a", SendingLimits.UNLIMITED, Duration.ofMinutes(1), Duration.ofMinutes(5));

        gate.pauseFor(Duration.ofSeconds(17), T0);
        gate.pauseFor(Duration.ofSeconds(5), T0);

        assertThat(gate.admit(1, T0.plusSeconds(2))).contains(Duration.ofSeconds(15));
        assertThat(gate.admit(1, T0.plusSeconds(17))).isEmpty();
        assertThat(gate.backOff(T0)).as("the back-off level is untouched").isEqualTo(Duration.ofMinutes(1));
    }

    @Test
    void freeSlotShouldGiveBackARequestSlotOfAGraphRoute() {
        RouteGate gate = new RouteGate("a", new SendingLimits(0, 0, 1), Duration.ofMinutes(1), Duration.ofMinutes(5));

        assertThat(gate.tryOpen()).isTrue();
        assertThat(gate.tryOpen()).as("one request in flight at most").isFalse();
        gate.freeSlot();
        assertThat(gate.tryOpen()).isTrue();
    }
}
