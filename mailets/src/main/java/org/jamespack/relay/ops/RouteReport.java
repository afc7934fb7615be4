package org.jamespack.relay.ops;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

import org.jamespack.relay.token.TokenOutcome;

import net.jcip.annotations.Immutable;

/**
 * What operators see of one relay route (WebAdmin {@code GET /xoauth2-relay/routes}, health
 * check causes). Immutable and thread-safe; holds no token, refresh token, password or client
 * secret, so it may be printed and serialised whole.
 *
 * @param mailet          the relay mailet's name in {@code mailetcontainer.xml}
 * @param queue           the relay's mail queue
 * @param senderKey       the route's sender key ({@code alice@example.org}, {@code example.org}, {@code *})
 * @param smarthost       {@code host:port}
 * @param account         the AUTH identity, or {@code (no auth)@host:port}
 * @param credential      {@code oauth=} reference (a name or path, never a secret), {@code password}, or {@code none}
 * @param origin          where the route was read ({@code file:line})
 * @param health          health and reason
 * @param tokenExpiry     when the cached access token expires
 * @param lastRefresh     when the token endpoint last issued a token
 * @param lastFailureKind the last token failure's kind, empty after a success
 * @param lastFailure     the last failure's reason: the token source's, else the route gate's
 * @param refreshTokenAge the refresh token's age, when known
 * @param endpointCalls   token endpoint (or broker) calls so far
 * @param queued          messages of this route waiting in the relay's queue; empty when the queue
 *                        cannot be browsed
 * @param pausedSince     when the route was paused for its credential or a refused AUTH (its mail held, one
 *                        probe per interval); empty when it is not paused
 * @param nextProbe       when a paused route's next probe is due
 * @param diagnosis       plain-language advice for the last failure, {@code [code] advice} each (the
 *                        same as {@code token test} prints for that reply); empty when none applies
 */
@Immutable
public record RouteReport(String mailet, String queue, String senderKey, String smarthost, String account, String credential,
                          String origin, RouteHealth health, Optional<Instant> tokenExpiry, Optional<Instant> lastRefresh,
                          Optional<TokenOutcome.Kind> lastFailureKind, Optional<String> lastFailure,
                          Optional<Duration> refreshTokenAge, long endpointCalls, OptionalLong queued,
                          Optional<Instant> pausedSince, Optional<Instant> nextProbe, List<String> diagnosis) {

    public RouteReport {
        Objects.requireNonNull(mailet, "mailet");
        Objects.requireNonNull(queue, "queue");
        Objects.requireNonNull(senderKey, "senderKey");
        Objects.requireNonNull(smarthost, "smarthost");
        Objects.requireNonNull(account, "account");
        Objects.requireNonNull(credential, "credential");
        Objects.requireNonNull(origin, "origin");
        Objects.requireNonNull(health, "health");
        Objects.requireNonNull(tokenExpiry, "tokenExpiry");
        Objects.requireNonNull(lastRefresh, "lastRefresh");
        Objects.requireNonNull(lastFailureKind, "lastFailureKind");
        Objects.requireNonNull(lastFailure, "lastFailure");
        Objects.requireNonNull(refreshTokenAge, "refreshTokenAge");
        Objects.requireNonNull(queued, "queued");
        Objects.requireNonNull(pausedSince, "pausedSince");
        Objects.requireNonNull(nextProbe, "nextProbe");
        diagnosis = List.copyOf(diagnosis);
    }
}
