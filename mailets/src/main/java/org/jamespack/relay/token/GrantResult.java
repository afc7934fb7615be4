package org.jamespack.relay.token;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

import org.jamespack.foundation.Secret;

/**
 * What one call of a token endpoint gave: tokens, or a classified failure.
 * Immutable and thread-safe; tokens are {@link Secret}s, so printing is safe.
 */
public sealed interface GrantResult permits GrantResult.Issued, GrantResult.Failed {

    /** The endpoint issued an access token, and perhaps a rotated refresh token. */
    record Issued(Secret accessToken, Instant expiresAt, Optional<Secret> refreshToken) implements GrantResult {
        public Issued {
            Objects.requireNonNull(accessToken, "accessToken");
            Objects.requireNonNull(expiresAt, "expiresAt");
            Objects.requireNonNull(refreshToken, "refreshToken");
        }
    }

    /** No token; {@code detail} says why, without any secret. */
    record Failed(TokenOutcome.Kind kind, String detail) implements GrantResult {
        public Failed {
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(detail, "detail");
        }
    }
}
