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
    void enterShouldLetOneProbeThroughPerIntervalWhileThePausedRouteHoldsTheOthers() {
        RouteGate gate = new RouteGate("a", SendingLimits.UNLIMITED, Duration.ofMinutes(1), Duration.ofMinutes(30), Duration.ofMinutes(5));
        assertThat(gate.enter(T0)).isInstanceOf(RouteGate.Entry.Open.class);

        gate.pause("535 5.7.8 refused", T0, true);

        assertThat(gate.enter(T0.plusSeconds(60))).isEqualTo(new RouteGate.Entry.Wait(Duration.ofMinutes(4), T0, "535 5.7.8 refused"));
        assertThat(gate.unhealthy()).contains("535 5.7.8 refused");
        assertThat(gate.enter(T0.plus(Duration.ofMinutes(5)))).isEqualTo(new RouteGate.Entry.Probe(true));
        assertThat(gate.enter(T0.plus(Duration.ofMinutes(5)).plusSeconds(1)))
            .as("others wait a little for the probe's outcome").isEqualTo(new RouteGate.Entry.Wait(RouteGate.PROBE_WAIT, T0,
                "535 5.7.8 refused"));
        gate.endProbe();
        assertThat(gate.enter(T0.plus(Duration.ofMinutes(6)))).as("a probe without verdict: the next one an interval later")
            .isEqualTo(new RouteGate.Entry.Wait(Duration.ofMinutes(4), T0, "535 5.7.8 refused"));
        assertThat(gate.enter(T0.plus(Duration.ofMinutes(10)))).isInstanceOf(RouteGate.Entry.Probe.class);
        gate.pause("535 5.7.8 refused again", T0.plus(Duration.ofMinutes(10)), true);
        assertThat(gate.pausedSince()).contains(T0);
        assertThat(gate.nextProbe()).contains(T0.plus(Duration.ofMinutes(15)));

        gate.resume();

        assertThat(gate.enter(T0.plus(Duration.ofMinutes(11)))).isInstanceOf(RouteGate.Entry.Open.class);
        assertThat(gate.pausedSince()).isEmpty();
    }

    @Test
    void forgetRefusalShouldResumeThePausedRoute() {
        RouteGate gate = new RouteGate("a", SendingLimits.UNLIMITED, Duration.ofMinutes(1), Duration.ofMinutes(30), Duration.ofMinutes(5));
        gate.pause("invalid_grant", T0, false);

        gate.forgetRefusal();

        assertThat(gate.unhealthy()).isEmpty();
        assertThat(gate.pausedSince()).isEmpty();
        assertThat(gate.enter(T0.plusSeconds(1))).isInstanceOf(RouteGate.Entry.Open.class);
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
