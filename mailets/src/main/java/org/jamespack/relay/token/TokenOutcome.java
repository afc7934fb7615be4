package org.jamespack.relay.token;

import java.time.Instant;
import java.util.Objects;

import org.jamespack.foundation.Secret;

/**
 * The answer of a {@link TokenSource}: a usable token, or why there is none.
 * Immutable and thread-safe; the token is a {@link Secret}, so printing an outcome is safe.
 */
public sealed interface TokenOutcome permits TokenOutcome.Token, TokenOutcome.Failure {

    /** A bearer token and when it stops being valid. */
    record Token(Secret accessToken, Instant expiresAt) implements TokenOutcome {
        public Token {
            Objects.requireNonNull(accessToken, "accessToken");
            Objects.requireNonNull(expiresAt, "expiresAt");
        }
    }

    /** No token: {@code kind} says whether waiting helps. {@code detail} holds no secret. */
    record Failure(Kind kind, String detail) implements TokenOutcome {
        public Failure {
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(detail, "detail");
        }
    }

    /** Why no token could be had. */
    enum Kind {
        /** Network error, HTTP 5xx or 429, {@code temporarily_unavailable}: retry on the schedule. */
        TRANSIENT,
        /**
         * {@code invalid_grant}, {@code invalid_client}, unreadable credential: broken until an
         * operator acts; mail stays queued and the route turns unhealthy.
         */
        CREDENTIAL_BROKEN
    }
}
