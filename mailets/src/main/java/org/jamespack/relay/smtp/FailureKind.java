package org.jamespack.relay.smtp;

import net.jcip.annotations.Immutable;

/**
 * What a delivery failure means for the message, as {@link FailureClassifier} decides it.
 * Immutable and thread-safe.
 */
@Immutable
public enum FailureKind {
    /** 4xx, 421, 454, connection or read time-out, token endpoint 5xx/429: retry per schedule. */
    TRANSIENT,
    /** The smarthost refused a token the cache thought valid (535, 501 5.5.127): refresh once, retry at once. */
    TOKEN_STALE,
    /** {@code invalid_grant}, 501 5.5.124, a token refused even after a refresh: keep queued, alert, retry slowly. */
    CREDENTIAL_BROKEN,
    /** 535 5.7.139 (SMTP AUTH disabled), 550 5.7.30, TLS refused: keep queued, alert, retry slowly; bounce at the schedule's end. */
    POLICY,
    /** 5xx to RCPT/DATA, 554 5.2.252 SendAsDenied, 5.7.60: bounce (DSN) for the recipients concerned; never retried. */
    PERMANENT
}
