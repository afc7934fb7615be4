package org.jamespack.relay.smtp;

import java.util.Optional;

import org.jamespack.foundation.Secret;
import org.jamespack.relay.route.Route;
import org.jamespack.relay.token.TokenOutcome;
import org.jamespack.relay.token.TokenSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import net.jcip.annotations.Immutable;

/**
 * Connects to a route's smarthost with the route's credential, and for a token route refreshes the token once
 * when the smarthost refuses it as stale: the one place that decides when a refused AUTH earns a new token, used
 * by the relay's delivery and by {@code token test}. Stateless and thread-safe.
 *
 * <p>The rule: a refusal is worth one refresh only when {@link FailureClassifier} calls it
 * {@link FailureKind#TOKEN_STALE}: a 5xx answer to AUTH (or {@code 5.5.127}) on a token route. Replies that a new
 * token cannot cure are not refreshed for: {@code 5.7.139} and {@code 5.7.30} (SMTP AUTH switched off: POLICY),
 * {@code 5.5.124} (broken grant), 4xx (TRANSIENT), TLS failures. After the refresh, a second refusal is classified
 * with {@code alreadyRefreshed}, so a refused fresh token is CREDENTIAL_BROKEN and nothing loops.
 */
@Immutable
public final class TokenConnect {

    private static final Logger LOGGER = LoggerFactory.getLogger(TokenConnect.class);

    private TokenConnect() {
    }

    /** A connection had for one credential: open, refused by the smarthost (or the network), or no slot free. */
    public sealed interface Lease permits Lease.Open, Lease.Refused, Lease.Busy {

        /** An open, authenticated connection. */
        record Open(RelayConnection connection) implements Lease {
        }

        /** No connection, and why. */
        record Refused(SmtpFailure failure) implements Lease {
        }

        /** Every connection of the route is in use and none came free within the wait. */
        record Busy() implements Lease {
        }
    }

    /**
     * How a lease is had for a credential: the delivery's route gate, or a plain {@link SmtpConnector#connect}.
     * {@code route} is the route to authenticate as: the caller's, or that route with the token source's
     * {@linkplain TokenSource#authIdentity() identity}.
     */
    @FunctionalInterface
    public interface Opener {
        Lease open(Route route, Optional<Secret> credential);
    }

    /** Progress for callers that show it (the command-line tool); both methods do nothing by default. */
    public interface Steps {

        /** A token was had from the source (before the first connection). */
        default void tokenObtained(TokenOutcome.Token token) {
        }

        /** The smarthost refused the token as stale; a refresh follows. */
        default void refreshing(SmtpFailure refusal) {
        }
    }

    /** What {@link #connect} came to. */
    public sealed interface Result permits Connected, NoToken, Failed, Busy {
    }

    /** Connected and authenticated. */
    public record Connected(RelayConnection connection) implements Result {
    }

    /** The token source gave no token; {@code afterRefusal}: it was the refresh after a refused token. */
    public record NoToken(TokenOutcome.Failure failure, boolean afterRefusal) implements Result {
    }

    /** The connection failed; {@code kind} is the failure classified for this route (after any refresh). */
    public record Failed(SmtpFailure failure, FailureKind kind) implements Result {
    }

    /** No connection slot came free. */
    public record Busy() implements Result {
    }

    /**
     * Gets the credential (a token from {@code source}, or the route's password), opens a lease with it, and on a
     * stale-token refusal refreshes once and opens again.
     *
     * @param source the route's token source; empty for routes without {@code oauth=}
     */
    public static Result connect(Route route, Optional<TokenSource> source, Opener opener, Steps steps) {
        return connect(route, source, opener, steps, false);
    }

    /**
     * As {@link #connect(Route, Optional, Opener, Steps)}, or with {@code freshFirst}: a refreshed token from the start
     * and one AUTH attempt, its refusal classified as that of a refreshed token. That is how a route paused after a
     * refused AUTH probes: one token endpoint call and one AUTH, where the usual path would spend two AUTHs.
     */
    public static Result connect(Route route, Optional<TokenSource> source, Opener opener, Steps steps, boolean freshFirst) {
        Optional<Secret> credential = route.password();
        boolean refreshed = freshFirst && source.isPresent();
        Route as = route;
        if (source.isPresent()) {
            TokenOutcome outcome = token(source.get(), refreshed);
            if (outcome instanceof TokenOutcome.Failure f) {
                return new NoToken(f, refreshed);
            }
            TokenOutcome.Token token = (TokenOutcome.Token) outcome;
            steps.tokenObtained(token);
            credential = Optional.of(token.accessToken());
            as = identified(route, source.get());
        }
        Lease lease = opener.open(as, credential);
        if (!(lease instanceof Lease.Refused refused)) {
            return settled(lease);
        }
        SmtpFailure failure = refused.failure();
        FailureKind kind = failure.classify(route.usesToken(), refreshed);
        if (kind != FailureKind.TOKEN_STALE || source.isEmpty()) {
            return new Failed(failure, kind);
        }
        steps.refreshing(failure);
        TokenOutcome again = token(source.get(), true);
        if (again instanceof TokenOutcome.Failure f) {
            return new NoToken(f, true);
        }
        Lease second = opener.open(identified(route, source.get()), Optional.of(((TokenOutcome.Token) again).accessToken()));
        if (second instanceof Lease.Refused r) {
            return new Failed(r.failure(), r.failure().classify(true, true));
        }
        return settled(second);
    }

    /** {@code route} as the token source's identity when it names one (a token file's {@code user}), else as is. */
    private static Route identified(Route route, TokenSource source) {
        Optional<String> identity = source.authIdentity().filter(u -> !u.isBlank());
        if (identity.isEmpty() || identity.get().equalsIgnoreCase(route.user().orElse(""))) {
            return route;
        }
        LOGGER.debug("route {}: authenticating as {} (the token source's user) instead of {}", route.key(), identity.get(),
            route.user().orElse("(none)"));
        return route.withUser(identity.get());
    }

    private static Result settled(Lease lease) {
        if (lease instanceof Lease.Open open) {
            return new Connected(open.connection());
        }
        if (lease instanceof Lease.Busy) {
            return new Busy();
        }
        throw new IllegalStateException("a refused lease is handled by the caller");
    }

    /**
     * The source's answer; a source that throws (a bug) gives a TRANSIENT failure, so that mail stays queued rather
     * than being lost.
     */
    public static TokenOutcome token(TokenSource source, boolean force) {
        try {
            return source.token(force);
        } catch (RuntimeException e) {
            LOGGER.error("token source of {} failed unexpectedly", source.account(), e);
            return new TokenOutcome.Failure(TokenOutcome.Kind.TRANSIENT, "token source error: " + e.getClass().getSimpleName());
        }
    }
}
