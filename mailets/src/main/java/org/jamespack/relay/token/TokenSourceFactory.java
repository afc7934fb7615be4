package org.jamespack.relay.token;

/**
 * Opens the {@link TokenSource} of one account for a declared token source. Implementations are
 * immutable and thread-safe; {@link TokenRegistry} calls {@link #open} once per account and
 * caches the result.
 */
@FunctionalInterface
public interface TokenSourceFactory {

    /**
     * @throws IllegalArgumentException when this source cannot serve {@code account} (the message
     *                                  names the problem, never a secret)
     */
    TokenSource open(String account);
}
