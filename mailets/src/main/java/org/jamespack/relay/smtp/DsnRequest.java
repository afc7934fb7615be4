package org.jamespack.relay.smtp;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

import net.jcip.annotations.Immutable;

/**
 * The sender's delivery status notification request (RFC 3461), as the submitting client gave it, to be passed on to a
 * smarthost that offers DSN. Immutable.
 *
 * @param ret        {@code FULL} or {@code HDRS}
 * @param envId      the envelope identifier as received, in xtext
 * @param recipients per recipient (keyed by address in lower case): NOTIFY and ORCPT
 */
@Immutable
public record DsnRequest(Optional<String> ret, Optional<String> envId, Map<String, Recipient> recipients) {

    /** No DSN parameters at all: the smarthost's defaults apply. */
    public static final DsnRequest NONE = new DsnRequest(Optional.empty(), Optional.empty(), Map.of());

    public DsnRequest {
        Objects.requireNonNull(ret, "ret");
        Objects.requireNonNull(envId, "envId");
        recipients = Map.copyOf(recipients);
    }

    /**
     * One recipient's parameters.
     *
     * @param notifyOn {@code NEVER}, or any of {@code SUCCESS}, {@code FAILURE}, {@code DELAY}; empty: not given
     * @param orcpt  the original recipient address (type rfc822), decoded
     */
    @Immutable
    public record Recipient(Set<String> notifyOn, Optional<String> orcpt) {

        public Recipient {
            notifyOn = Set.copyOf(notifyOn);
            Objects.requireNonNull(orcpt, "orcpt");
        }
    }
}
