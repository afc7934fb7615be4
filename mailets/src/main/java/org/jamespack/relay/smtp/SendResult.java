package org.jamespack.relay.smtp;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import net.jcip.annotations.Immutable;

/**
 * The outcome of one message on one connection. Immutable.
 *
 * @param delivered  recipients the smarthost accepted the message for (never sent again)
 * @param refused    recipients refused at RCPT, each with its reply
 * @param failure    why the remaining recipients (neither delivered nor refused) were not delivered
 */
@Immutable
public record SendResult(List<String> delivered, Map<String, SmtpReply> refused, Optional<SmtpFailure> failure) {

    public SendResult {
        delivered = List.copyOf(delivered);
        refused = Map.copyOf(refused);
    }
}
