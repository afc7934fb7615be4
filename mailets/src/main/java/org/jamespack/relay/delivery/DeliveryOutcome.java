package org.jamespack.relay.delivery;

import java.time.Duration;
import java.util.Objects;

/** What to do with a queued message after one delivery attempt. Immutable. */
public sealed interface DeliveryOutcome permits DeliveryOutcome.Done, DeliveryOutcome.Requeue {

    /** Every recipient was delivered or bounced: remove the message from the queue. */
    record Done(int delivered, int bounced) implements DeliveryOutcome {
    }

    /** Some recipients remain: put the message (now holding only them) back with a delay. */
    record Requeue(Duration delay, String reason) implements DeliveryOutcome {
        public Requeue {
            Objects.requireNonNull(delay, "delay");
            Objects.requireNonNull(reason, "reason");
        }
    }
}
