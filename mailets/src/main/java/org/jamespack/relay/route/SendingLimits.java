package org.jamespack.relay.route;

import net.jcip.annotations.Immutable;

/**
 * How much one route (one cloud mailbox) may send. Immutable. A value of 0 means unlimited.
 *
 * @param messagesPerMinute  messages started per rolling minute
 * @param recipientsPerDay   recipients accepted per rolling 24 hours
 * @param maxConnections     SMTP connections open at once (at least 1)
 */
@Immutable
public record SendingLimits(int messagesPerMinute, int recipientsPerDay, int maxConnections) {

    /** Microsoft 365 SMTP client submission: 30 messages a minute, 10 000 recipients a day, few connections. */
    public static final SendingLimits M365 = new SendingLimits(30, 10_000, 2);

    /** No rate limits, two connections. */
    public static final SendingLimits UNLIMITED = new SendingLimits(0, 0, 2);

    public SendingLimits {
        if (messagesPerMinute < 0 || recipientsPerDay < 0 || maxConnections < 1) {
            throw new IllegalArgumentException("limits must be >= 0 and connections >= 1");
        }
    }
}
