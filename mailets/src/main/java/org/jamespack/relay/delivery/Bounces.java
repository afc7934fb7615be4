package org.jamespack.relay.delivery;

import java.time.Instant;
import java.util.Collection;
import java.util.Optional;

import org.apache.james.core.MailAddress;
import org.apache.mailet.Mail;

/**
 * Hands a permanent failure to James' bounce path (DSN to the sender), and tells the sender of mail
 * that is held (a delay warning). Thread-safe. Implemented by the mailet over its
 * {@code MailetContext}, as RemoteDelivery's {@code Bouncer}.
 */
public interface Bounces {

    /**
     * Bounces {@code mail} for {@code recipients} only (the others were delivered or are still
     * queued); {@code reason} is the smarthost's reply or our own explanation, {@code code} its
     * SMTP code (or -1).
     */
    void bounce(Mail mail, Collection<MailAddress> recipients, String reason, int code);

    /**
     * Tells {@code mail}'s sender that it is delayed for {@code recipients} (RFC 3464 {@code action=delayed}); the mail
     * stays queued. {@code reason} says why (no secret); {@code retryUntil} is when the relay gives up, if it ever does.
     */
    void delayed(Mail mail, Collection<MailAddress> recipients, String reason, Optional<Instant> retryUntil);
}
