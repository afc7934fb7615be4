package org.jamespack.relay.delivery;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.jamespack.foundation.config.ConfigNode;
import org.jamespack.relay.route.Route;
import org.jamespack.relay.token.TokenRegistry;
import org.jamespack.relay.token.TokenSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import net.jcip.annotations.ThreadSafe;

/**
 * {@link TokenSources} over the pack's {@link TokenRegistry}: the one place where the relay calls
 * {@link TokenRegistry#fromConfig} and {@link TokenRegistry#resolve}. Thread-safe (the registry is).
 */
@ThreadSafe
public final class RegistryTokenSources implements TokenSources {

    private static final Logger LOGGER = LoggerFactory.getLogger(RegistryTokenSources.class);

    private final TokenRegistry registry;
    private final Set<String> reported = ConcurrentHashMap.newKeySet();

    public RegistryTokenSources(TokenRegistry registry) {
        this.registry = registry;
    }

    /**
     * Builds the registry; problems go to the nodes' collector.
     *
     * @param tokenSourceNodes the {@code <tokenSource>} elements
     * @param globalSettings   the node holding the mailet's token settings
     */
    public static RegistryTokenSources fromConfig(List<ConfigNode> tokenSourceNodes, ConfigNode globalSettings) {
        return new RegistryTokenSources(TokenRegistry.fromConfig(tokenSourceNodes, globalSettings));
    }

    /**
     * Resolves eagerly (at init) so that an unknown reference is a configuration error.
     *
     * @throws IllegalArgumentException when the reference is neither declared nor an absolute path
     */
    public void check(Route route) {
        registry.resolve(route.oauth().orElseThrow(), route.user().orElseThrow());
    }

    @Override
    public Optional<TokenSource> forRoute(Route route) {
        try {
            return Optional.of(registry.resolve(route.oauth().orElseThrow(), route.user().orElseThrow()));
        } catch (IllegalArgumentException e) {
            // a route added to the smart-hosts file later, naming an unknown source: logged once, mail stays queued
            if (reported.add(route.key() + "|" + route.oauth().get())) {
                LOGGER.error("route {} ({}): {}", route.key(), route.origin(), e.getMessage());
            }
            return Optional.empty();
        }
    }

    /** Refreshes sources idle for longer than {@code maxIdle} (keeps refresh tokens alive). */
    public int refreshIdle(Duration maxIdle) {
        return registry.refreshIdle(maxIdle);
    }

    @Override
    public void close() {
        registry.close();
    }
}
