package org.jamespack.relay.delivery;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.jamespack.auth.config.ConfigNode;
import org.jamespack.relay.route.Route;
import org.jamespack.relay.token.TokenSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import net.jcip.annotations.ThreadSafe;

/**
 * {@link TokenSources} over the pack's {@code org.jamespack.relay.token.TokenRegistry}: the one
 * place where the relay calls {@code TokenRegistry.fromConfig(List<ConfigNode>, ConfigNode)} and
 * {@code resolve(String oauthReference, String account)}. Thread-safe (the registry is).
 *
 * <p>The registry is written in parallel on another branch; until it is merged it is reached
 * reflectively, so this module builds either way. Once {@code TokenRegistry} is on main, replace
 * the two reflective calls below by direct ones (nothing else in the relay changes).
 */
@ThreadSafe
public final class RegistryTokenSources implements TokenSources {

    static final String REGISTRY_CLASS = "org.jamespack.relay.token.TokenRegistry";

    private static final Logger LOGGER = LoggerFactory.getLogger(RegistryTokenSources.class);

    private final Object registry;
    private final Method resolve;
    private final Set<String> reported = ConcurrentHashMap.newKeySet();

    private RegistryTokenSources(Object registry, Method resolve) {
        this.registry = registry;
        this.resolve = resolve;
    }

    /**
     * Builds the registry; problems go to the nodes' collector.
     *
     * @param tokenSourceNodes the {@code <tokenSource>} elements
     * @param globalSettings   the node holding the token settings of the mailet
     */
    public static Optional<TokenSources> fromConfig(List<ConfigNode> tokenSourceNodes, ConfigNode globalSettings) {
        try {
            Class<?> c = Class.forName(REGISTRY_CLASS);
            Object registry = c.getMethod("fromConfig", List.class, ConfigNode.class).invoke(null, tokenSourceNodes, globalSettings);
            return Optional.of(new RegistryTokenSources(registry, c.getMethod("resolve", String.class, String.class)));
        } catch (ClassNotFoundException | NoSuchMethodException e) {
            globalSettings.problems().add(globalSettings.location(), globalSettings.keyPath("tokenSources"),
                "the token registry (" + REGISTRY_CLASS + ") is not in this build");
            return Optional.empty();
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        } catch (InvocationTargetException e) {
            throw rethrow(e);
        }
    }

    /** Resolves eagerly (at init) so that an unknown reference is a configuration error. */
    public void check(Route route) {
        try {
            resolve.invoke(registry, route.oauth().orElseThrow(), route.user().orElseThrow());
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        } catch (InvocationTargetException e) {
            throw rethrow(e);
        }
    }

    @Override
    public Optional<TokenSource> forRoute(Route route) {
        try {
            return Optional.of((TokenSource) resolve.invoke(registry, route.oauth().orElseThrow(), route.user().orElseThrow()));
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof IllegalArgumentException) {
                if (reported.add(route.key() + "|" + route.oauth().get())) {
                    LOGGER.error("route {} ({}): {}", route.key(), route.origin(), e.getCause().getMessage());
                }
                return Optional.empty();
            }
            throw rethrow(e);
        }
    }

    @Override
    public void close() {
        if (registry instanceof AutoCloseable) {
            try {
                ((AutoCloseable) registry).close();
            } catch (Exception e) {
                LOGGER.warn("closing the token registry failed", e);
            }
        }
    }

    private static RuntimeException rethrow(InvocationTargetException e) {
        Throwable cause = e.getCause();
        if (cause instanceof RuntimeException) {
            return (RuntimeException) cause;
        }
        if (cause instanceof Error) {
            throw (Error) cause;
        }
        return new IllegalStateException(cause);
    }
}
