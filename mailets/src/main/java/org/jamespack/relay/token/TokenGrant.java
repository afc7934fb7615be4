package org.jamespack.relay.token;

import java.util.Optional;

import org.jamespack.foundation.Secret;

/**
 * One way of asking a token endpoint for an access token: refresh token, client credentials,
 * JWT bearer. Implementations are immutable and thread-safe; the caching and single-flight live
 * in {@link RefreshingTokenSource}, so a grant is a single endpoint call.
 */
public interface TokenGrant {

    /**
     * Calls the endpoint once.
     *
     * @param refreshToken the current refresh token, for grants that {@link #usesRefreshToken()}
     */
    GrantResult obtain(Optional<Secret> refreshToken);

    /** Whether this grant consumes (and may rotate) a refresh token. */
    default boolean usesRefreshToken() {
        return false;
    }

    /** What and where, for logs and status: e.g. {@code refresh-token grant at https://…}. No secret. */
    String describe();
}
