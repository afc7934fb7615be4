package org.jamespack.relay.delivery;

import java.util.Locale;
import java.util.Map;

import net.jcip.annotations.Immutable;

/**
 * What the mailet does with mail it has no route for (or with the null sender).
 * Immutable and thread-safe.
 */
@Immutable
public enum Policy {
    /** Leave the mail in the processor for the next mailet (e.g. RemoteDelivery). */
    PASS_THROUGH,
    /** Keep it in the relay's queue and look for a route again on the retry schedule (the file may gain one). */
    DEFER,
    /** Return it to the sender now (DSN); for the null sender this only logs, as RemoteDelivery does. */
    BOUNCE,
    /** Null sender only: send it through the default route {@code *}. */
    DEFAULT_ROUTE;

    public String configName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** Accepted words for senders without a route. */
    public static Map<String, Policy> forNoRoute() {
        return Map.of("pass-through", PASS_THROUGH, "defer", DEFER, "bounce", BOUNCE);
    }

    /** Accepted words for the null sender. */
    public static Map<String, Policy> forNullSender() {
        return Map.of("pass-through", PASS_THROUGH, "defer", DEFER, "bounce", BOUNCE, "default-route", DEFAULT_ROUTE);
    }
}
