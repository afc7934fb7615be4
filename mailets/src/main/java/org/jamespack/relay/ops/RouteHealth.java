package org.jamespack.relay.ops;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

import org.jamespack.relay.token.TokenStatus;

import net.jcip.annotations.Immutable;

/**
 * The health of one relay route and why, worked out from what the relay knows (its route gate
 * and the token source's {@link TokenStatus}); no network call. Immutable and thread-safe.
 *
 * <table>
 * <caption>How a route's health is decided (first match wins)</caption>
 * <tr><th>state</th><th>when</th><th>reason starts with</th></tr>
 * <tr><td>UNHEALTHY</td><td>the token source is CREDENTIAL_BROKEN ({@code invalid_grant}, unreadable token file…)</td>
 *   <td>{@code credential broken:}</td></tr>
 * <tr><td>UNHEALTHY</td><td>no valid token, and the last attempt to get one failed</td><td>{@code no valid token:}</td></tr>
 * <tr><td>UNHEALTHY</td><td>the last delivery attempt of the route failed on the credential or by policy (e.g.
 *   {@code 535 5.7.139}); this lasts until a message of the route goes through</td><td>{@code delivery refused:}</td></tr>
 * <tr><td>DEGRADED</td><td>refreshing fails but the cached token is still valid</td><td>{@code refresh failing}</td></tr>
 * <tr><td>DEGRADED</td><td>the refresh token is older than {@code refreshTokenMaxAge}</td><td>{@code refresh token is}</td></tr>
 * <tr><td>HEALTHY</td><td>otherwise (also before the first token was fetched, and for password routes without a
 *   refusal)</td><td></td></tr>
 * </table>
 *
 * @param state  the state
 * @param reason why (empty when healthy without remark); never a secret
 */
@Immutable
public record RouteHealth(State state, String reason) {

    /** The three states James' health checks know. */
    public enum State {
        HEALTHY, DEGRADED, UNHEALTHY;

        /** The worse of two states. */
        public State worst(State other) {
            return compareTo(other) >= 0 ? this : other;
        }
    }

    public RouteHealth {
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(reason, "reason");
    }

    /**
     * Decides a route's health.
     *
     * @param gateUnhealthy      the route gate's reason, when the smarthost refused credential or policy
     * @param token              the token source's status, for routes with {@code oauth=}
     * @param now                the time to judge expiry against
     * @param refreshTokenMaxAge a refresh token older than this makes the route degraded (Microsoft's die
     *                           after 90 days unused, and a long-unrotated one is a sign that refreshes do
     *                           not happen)
     */
    public static RouteHealth of(Optional<String> gateUnhealthy, Optional<TokenStatus> token, Instant now,
                                 Duration refreshTokenMaxAge) {
        Optional<TokenStatus> status = token;
        if (status.isPresent()) {
            TokenStatus t = status.get();
            String failure = t.lastFailure().orElse("");
            if (t.broken()) {
                return new RouteHealth(State.UNHEALTHY, "credential broken: " + failure);
            }
            boolean valid = t.expiry().map(now::isBefore).orElse(false);
            if (!valid && t.lastFailure().isPresent()) {
                return new RouteHealth(State.UNHEALTHY, "no valid token: " + failure);
            }
        }
        if (gateUnhealthy.isPresent()) {
            return new RouteHealth(State.UNHEALTHY, "delivery refused: " + gateUnhealthy.get());
        }
        if (status.isEmpty()) {
            return new RouteHealth(State.HEALTHY, "");
        }
        TokenStatus t = status.get();
        if (t.lastFailure().isPresent()) {
            return new RouteHealth(State.DEGRADED, "refresh failing, token valid until " + t.expiry().orElseThrow() + ": "
                + t.lastFailure().get());
        }
        Optional<Duration> age = t.refreshTokenAge();
        if (age.isPresent() && age.get().compareTo(refreshTokenMaxAge) > 0) {
            return new RouteHealth(State.DEGRADED, "refresh token is " + age.get().toDays() + " days old (more than "
                + refreshTokenMaxAge.toDays() + "): renew it before the provider lets it die");
        }
        if (t.expiry().isEmpty() && t.endpointCalls() == 0) {
            return new RouteHealth(State.HEALTHY, "no token fetched yet");
        }
        return new RouteHealth(State.HEALTHY, "");
    }
}
