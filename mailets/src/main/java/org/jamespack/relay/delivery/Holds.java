package org.jamespack.relay.delivery;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import org.apache.james.core.MailAddress;
import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.Mail;
import org.jamespack.relay.route.Route;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import net.jcip.annotations.ThreadSafe;

/**
 * Mail the relay holds for a credential problem: the messages a paused route sends back to the queue, and the one
 * delay warning each held message earns after {@code delayWarningAfter}. Thread-safe (immutable; the state lives in
 * each mail's attributes, which travel with it through the queue and the journal).
 */
@ThreadSafe
final class Holds {

    private static final Logger LOGGER = LoggerFactory.getLogger(RelayDelivery.class);

    private final Duration delayWarningAfter;
    private final Bounces bounces;

    /** @param delayWarningAfter how long a message is held before its sender is warned; zero: never */
    Holds(Duration delayWarningAfter, Bounces bounces) {
        this.delayWarningAfter = delayWarningAfter;
        this.bounces = bounces;
    }

    /**
     * A message of a paused route: back to the queue until the next probe, without a token or connection. Its hold
     * counts from now if it never failed before (for the delay warning and the retry schedule).
     */
    DeliveryOutcome hold(Mail mail, List<MailAddress> pending, Route route, RouteGate.Entry.Wait held, Instant now) {
        if (mail.getAttribute(RelayDelivery.FIRST_FAILURE).isEmpty()) {
            mail.setAttribute(new Attribute(RelayDelivery.FIRST_FAILURE, AttributeValue.of(now.toEpochMilli())));
        }
        warnIfLong(mail, pending, held.reason(), Optional.empty(), now);
        LOGGER.debug("mail {} waits {} for the paused route of {}: {}", mail.getName(), held.delay(), route.account(), held.reason());
        return new DeliveryOutcome.Requeue(held.delay(), "route of " + route.account() + " paused since " + held.since() + ": "
            + held.reason());
    }

    /**
     * Sends the delay warning once, when {@code mail} has been held for at least {@code delayWarningAfter} since its
     * first failure, and remembers it in the mail ({@link RelayDelivery#DELAY_WARNED}).
     *
     * @param retryUntil when the relay gives the mail up, if it ever does
     */
    void warnIfLong(Mail mail, List<MailAddress> pending, String reason, Optional<Instant> retryUntil, Instant now) {
        if (delayWarningAfter.isZero() || mail.getAttribute(RelayDelivery.DELAY_WARNED).isPresent()) {
            return;
        }
        Optional<Long> first = mail.getAttribute(RelayDelivery.FIRST_FAILURE).map(a -> a.getValue().getValue())
            .filter(Long.class::isInstance).map(Long.class::cast);
        if (first.isEmpty() || Duration.between(Instant.ofEpochMilli(first.get()), now).compareTo(delayWarningAfter) < 0) {
            return;
        }
        bounces.delayed(mail, pending, reason, retryUntil);
        mail.setAttribute(new Attribute(RelayDelivery.DELAY_WARNED, AttributeValue.of(now.toEpochMilli())));
    }
}
