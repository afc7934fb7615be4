package org.jamespack.relay.ops;

import org.jamespack.relay.token.TokenStatus;

/**
 * Where the relay reports what happened, per route (sender key) and per token account; the names
 * are in the package documentation. Implementations are thread-safe: delivery threads and the
 * token upkeep call them at once.
 */
public interface RelayMetrics {

    /** Does nothing: the relay outside James, and unit tests. */
    RelayMetrics NONE = new RelayMetrics() {
    };

    /** A message of {@code route} reached the smarthost for at least one recipient in this attempt. */
    default void sent(String route) {
    }

    /** A message of {@code route} went back to the queue for later. */
    default void deferred(String route) {
    }

    /** A message of {@code route} was bounced for at least one recipient. */
    default void bounced(String route) {
    }

    /**
     * A fresh look at a token source: counts the endpoint calls made since the last look as
     * refreshes, and as failures when the source's last call failed.
     */
    default void tokenObserved(TokenStatus status) {
    }
}
