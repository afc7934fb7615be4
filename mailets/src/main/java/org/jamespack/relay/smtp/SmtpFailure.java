package org.jamespack.relay.smtp;

import java.util.Objects;

import org.jamespack.relay.smtp.FailureClassifier.Phase;

import net.jcip.annotations.Immutable;

/**
 * Why a connection or a transaction failed: the phase, the server's reply (code -1 when there was
 * none: network error, time-out), whether TLS could not be established as required, and a detail
 * for logs and DSNs. Immutable; never holds a credential (details come from server replies and
 * local exceptions, not from what we sent).
 */
@Immutable
public record SmtpFailure(Phase phase, SmtpReply reply, boolean tlsRefused, String detail) {

    public SmtpFailure {
        Objects.requireNonNull(phase, "phase");
        Objects.requireNonNull(reply, "reply");
        Objects.requireNonNull(detail, "detail");
    }

    /** The failure's kind: TLS not possible is a policy problem (never fall back to plain text). */
    public FailureKind classify(boolean tokenRoute, boolean alreadyRefreshed) {
        if (tlsRefused) {
            return FailureKind.POLICY;
        }
        return FailureClassifier.classify(phase, reply, tokenRoute, alreadyRefreshed);
    }

    @Override
    public String toString() {
        return phase + ": " + detail;
    }
}
