package org.jamespack.relay.delivery;

import java.util.Collection;

import org.apache.james.core.MailAddress;
import org.apache.mailet.Mail;

/**
 * Hands a permanent failure to James' bounce path (DSN to the sender). Thread-safe.
 * Implemented by the mailet over its {@code MailetContext}, as RemoteDelivery's {@code Bouncer}.
 */
@FunctionalInterface
public interface Bounces {

    /**
     * Bounces {@code mail} for {@code recipients} only (the others were delivered or are still
     * queued); {@code reason} is the smarthost's reply or our own explanation, {@code code} its
     * SMTP code (or -1).
     */
    void bounce(Mail mail, Collection<MailAddress> recipients, String reason, int code);
}
