package org.jamespack.relay.broker;

import java.nio.file.Path;
import java.util.function.Function;

import org.jamespack.relay.token.TokenSource;

/**
 * Where a standalone broker ({@link BrokerMain}) gets its token sources: an implementation is
 * found with {@link java.util.ServiceLoader} (a {@code META-INF/services} entry), so that the
 * launcher does not depend on how tokens are obtained. Implementations are thread-safe.
 */
public interface BrokerTokenSources extends AutoCloseable {

    /**
     * The resolver for the accounts of {@code configFile}: it returns the account's token source
     * or throws {@link IllegalArgumentException} for an account it cannot serve.
     */
    Function<String, TokenSource> resolver(Path configFile);

    /** Releases the sources (refresh threads, files). */
    @Override
    default void close() {
    }
}
