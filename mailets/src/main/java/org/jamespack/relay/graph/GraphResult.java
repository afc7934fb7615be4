package org.jamespack.relay.graph;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

import org.jamespack.relay.smtp.FailureKind;

import net.jcip.annotations.Immutable;

/**
 * What one Microsoft Graph {@code sendMail} attempt came to: sent, or a failure in the relay's failure classes.
 * Immutable and thread-safe; never holds a token (details are built from Graph's error code and message, with whatever
 * token was sent cut out).
 */
@Immutable
public sealed interface GraphResult permits GraphResult.Sent, GraphResult.Unsendable, GraphResult.Failed {

    /** Graph answered {@code 202 Accepted}: the message is in the mailbox's outbound queue. */
    record Sent(String mailbox) implements GraphResult {
        public Sent {
            Objects.requireNonNull(mailbox, "mailbox");
        }
    }

    /**
     * The message cannot go through Graph at all (over the size limit, recipient headers that cannot be read): it
     * never left, and another attempt would end the same way.
     *
     * @param reason  for the DSN and the log
     * @param dsnCode the SMTP-style code for the bounce (552 too big, 553 bad address, 554 otherwise)
     */
    record Unsendable(String reason, int dsnCode) implements GraphResult {
        public Unsendable {
            Objects.requireNonNull(reason, "reason");
        }
    }

    /**
     * Not sent.
     *
     * @param kind       what the failure means for the message (see {@link GraphAnswers} for the mapping)
     * @param status     the HTTP status, or -1 when there was no answer (network, time-out) or the message never left
     * @param code       Graph's {@code error.code}, empty when the answer had none
     * @param detail     for logs and the mail's {@code last-error}: where, status, code, Graph's message; no secret
     * @param diagnosis  what the operator or the sender can do about it, empty when there is nothing to add
     * @param retryAfter the answer's {@code Retry-After}, when it had a usable one
     */
    record Failed(FailureKind kind, int status, String code, String detail, String diagnosis,
                  Optional<Duration> retryAfter) implements GraphResult {
        public Failed {
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(code, "code");
            Objects.requireNonNull(detail, "detail");
            Objects.requireNonNull(diagnosis, "diagnosis");
            Objects.requireNonNull(retryAfter, "retryAfter");
        }

        /** The detail and, when there is one, the diagnosis: the text for a DSN or an operator. */
        public String explanation() {
            return diagnosis.isEmpty() ? detail : detail + ". " + diagnosis;
        }

        /** This failure as seen after the token was already refreshed once: a second 401 means the credential is broken. */
        public Failed afterRefresh() {
            if (kind != FailureKind.TOKEN_STALE) {
                return this;
            }
            return new Failed(FailureKind.CREDENTIAL_BROKEN, status, code, detail + " (again after a token refresh)", diagnosis,
                retryAfter);
        }
    }
}
