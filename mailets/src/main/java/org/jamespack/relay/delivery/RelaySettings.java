package org.jamespack.relay.delivery;

import java.time.Duration;
import java.util.Objects;

import net.jcip.annotations.Immutable;

/**
 * The delivery policy of the relay. Immutable.
 *
 * @param schedule        retry schedule for transient and policy failures (exim syntax)
 * @param slowRetry       shortest wait after a policy or credential failure (never retried quickly)
 * @param noRoute         what to do with senders without a route
 * @param nullSender      what to do with the null sender (bounces)
 * @param rewriteSender   rewrite envelope sender (and a matching From: header) to the route's account
 * @param backOffBase     first pause of a route after a 4xx
 * @param backOffMax      longest pause of a route after repeated 4xx
 * @param connectionWait  how long a delivery thread waits for a connection of a busy route before re-queueing
 * @param probeInterval   how long a route paused for its credential (or a refused AUTH) waits between probes
 * @param delayWarningAfter how long mail held for a credential problem waits before its sender gets a delay warning
 *                        (once); zero: never
 */
@Immutable
public record RelaySettings(RetrySchedule schedule, Duration slowRetry, Policy noRoute, Policy nullSender, boolean rewriteSender,
                            Duration backOffBase, Duration backOffMax, Duration connectionWait, Duration probeInterval,
                            Duration delayWarningAfter) {

    public RelaySettings {
        Objects.requireNonNull(schedule, "schedule");
        Objects.requireNonNull(slowRetry, "slowRetry");
        Objects.requireNonNull(noRoute, "noRoute");
        Objects.requireNonNull(nullSender, "nullSender");
        Objects.requireNonNull(backOffBase, "backOffBase");
        Objects.requireNonNull(backOffMax, "backOffMax");
        Objects.requireNonNull(connectionWait, "connectionWait");
        Objects.requireNonNull(probeInterval, "probeInterval");
        Objects.requireNonNull(delayWarningAfter, "delayWarningAfter");
        if (probeInterval.isNegative() || probeInterval.isZero()) {
            throw new IllegalArgumentException("probeInterval must be positive: " + probeInterval);
        }
    }

    /** A copy with another probe interval and delay-warning hold (tests). */
    public RelaySettings withHolds(Duration probeInterval, Duration delayWarningAfter) {
        return new RelaySettings(schedule, slowRetry, noRoute, nullSender, rewriteSender, backOffBase, backOffMax, connectionWait,
            probeInterval, delayWarningAfter);
    }

    public static RelaySettings defaults() {
        return new RelaySettings(RetrySchedule.parse(RetrySchedule.DEFAULT), Duration.ofHours(1), Policy.PASS_THROUGH,
            Policy.PASS_THROUGH, false, Duration.ofMinutes(1), Duration.ofMinutes(30), Duration.ofSeconds(30), Duration.ofMinutes(5),
            Duration.ofHours(4));
    }
}
