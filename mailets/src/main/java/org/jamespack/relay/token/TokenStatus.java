package org.jamespack.relay.token;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

import net.jcip.annotations.Immutable;

/**
 * A read-only snapshot of one token source, for the relay's health checks and metrics.
 * Immutable and thread-safe; it never holds a token or a secret, so printing it is safe.
 *
 * @param account         the account served (e.g. {@code alice@example.org})
 * @param source          the source's description (type and name or path; no secret)
 * @param expiry          when the cached access token expires, if one is cached
 * @param lastRefresh     when the endpoint last issued a token
 * @param lastFailureKind the kind of the last failure, empty after a success
 * @param lastFailure     the last failure's reason text (no secret), empty after a success
 * @param broken          whether the source stopped calling its endpoint until the operator
 *                        acts or the token file changes
 * @param refreshTokenAge how old the refresh token is, when known (for token files: since the
 *                        file was last written, an upper bound)
 * @param endpointCalls   how many times the token endpoint (or broker) was called
 */
@Immutable
public record TokenStatus(String account, String source, Optional<Instant> expiry, Optional<Instant> lastRefresh,
                          Optional<TokenOutcome.Kind> lastFailureKind, Optional<String> lastFailure, boolean broken,
                          Optional<Duration> refreshTokenAge, long endpointCalls) {

    public TokenStatus {
        Objects.requireNonNull(account, "account");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(expiry, "expiry");
        Objects.requireNonNull(lastRefresh, "lastRefresh");
        Objects.requireNonNull(lastFailureKind, "lastFailureKind");
        Objects.requireNonNull(lastFailure, "lastFailure");
        Objects.requireNonNull(refreshTokenAge, "refreshTokenAge");
    }

    /** The status of a source that keeps no state. */
    public static TokenStatus unknown(String account, String source) {
        return new TokenStatus(account, source, Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
            false, Optional.empty(), 0);
    }
}
