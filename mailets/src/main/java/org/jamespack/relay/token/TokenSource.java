package org.jamespack.relay.token;

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

    @Override
    default void close() {
    }
}
