package org.jamespack.relay.token;

import java.time.Duration;

/**
 * Where a route's OAuth2 access tokens come from: a sasl-xoauth2 token file, a refresh-token,
 * client-credentials or JWT-bearer grant, or a credential-broker socket.
 *
 * <p>Implementations are thread-safe and single-flight: many delivery threads may ask at once,
 * and at most one refresh per account runs at a time (across processes too, for token files).
 * They never log or put into a message the token, the refresh token or a client secret.
 */
public interface TokenSource extends AutoCloseable {

    /**
     * A token valid for at least the refresh window, refreshing first when needed.
     *
     * @param forceRefresh true after the smarthost rejected the current token: refresh even
     *                     when the cached token looks valid (once; callers do not loop)
     */
    TokenOutcome token(boolean forceRefresh);

    /** The account this source serves, for logs and health (e.g. {@code alice@example.org}). */
    String account();

    /**
     * What this source knows about its token, for health checks; never holds a secret. Sources
     * that keep no state answer {@link TokenStatus#unknown(String, String)}.
     */
    default TokenStatus status() {
        return TokenStatus.unknown(account(), getClass().getSimpleName());
    }

    /**
     * Refreshes now when the last refresh is older than {@code maxIdle}, so that a refresh token
     * that expires when unused (Microsoft: 90 days) stays alive on quiet accounts. Called by the
     * relay's scheduler; does nothing for sources without a refresh token or while broken.
     *
     * @return true when an endpoint call was attempted
     */
    default boolean refreshIfIdle(Duration maxIdle) {
        return false;
    }

    /**
     * The identity to authenticate as when the source names one, overriding the route's
     * {@code user=}: a sasl-xoauth2 token file's {@code user} key, as sasl-xoauth2 0.25 and later
     * honour it. Empty by default; known once {@link #token(boolean)} has read the source.
     */
    default java.util.Optional<String> authIdentity() {
        return java.util.Optional.empty();
    }

    /**
     * Operator action after fixing a broken credential: forget the CREDENTIAL_BROKEN state so
     * that the next {@link #token(boolean)} calls the endpoint again.
     */
    default void reset() {
    }

    @Override
    default void close() {
    }
}
