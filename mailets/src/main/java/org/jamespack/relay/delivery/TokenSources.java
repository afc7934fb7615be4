package org.jamespack.relay.delivery;

import java.util.Optional;

import org.jamespack.relay.route.Route;
import org.jamespack.relay.token.TokenSource;

/**
 * Resolves a route's {@code oauth=} reference to its token source: the one place where the relay
 * meets the token side. Implementations are thread-safe and return the same source for the same
 * reference and account (so caching and single-flight refresh work across routes).
 */
@FunctionalInterface
public interface TokenSources extends AutoCloseable {

    /** The source for {@code route} (which has {@code oauth=}); empty when the reference is unknown. */
    Optional<TokenSource> forRoute(Route route);

    @Override
    default void close() {
    }
}
