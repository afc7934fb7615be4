package org.jamespack.auth.pack;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.jamespack.auth.CredentialVerifier;
import org.jamespack.auth.cache.CachingVerifier;
import org.jamespack.foundation.config.ConfigNode;
import org.jamespack.auth.kopano.KopanoVerifier;
import org.jamespack.auth.ldap.LdapVerifier;
import org.jamespack.auth.throttle.ThrottlingVerifier;

import net.jcip.annotations.Immutable;

/**
 * The one table that maps the element names of {@code <authpack>} to the factories of the
 * verifiers they configure: backends ({@code <ldap>}, {@code <kopano>}) and wrappers
 * ({@code <cache>}, {@code <throttle>}).
 *
 * <p>Immutable and thread-safe. {@link #standard()} is what {@link PackExtensionModule} and {@link AuthPackModule} use;
 * {@link #withBackend} adds a backend for tests or for an operator's own verifier.
 */
@Immutable
public final class BackendFactories {

    /** Builds a backend from its element; records problems on {@code node.problems()}. */
    @FunctionalInterface
    public interface BackendFactory {
        CredentialVerifier create(ConfigNode node);
    }

    /** Wraps a verifier (cache, throttle) from its element. */
    @FunctionalInterface
    public interface WrapperFactory {
        CredentialVerifier wrap(ConfigNode node, CredentialVerifier delegate);
    }

    /** Wrapper elements in the order they are applied, innermost first. */
    static final java.util.List<String> WRAPPER_ORDER = java.util.List.of("cache", "throttle");

    private final Map<String, BackendFactory> backends;
    private final Map<String, WrapperFactory> wrappers;

    private BackendFactories(Map<String, BackendFactory> backends, Map<String, WrapperFactory> wrappers) {
        this.backends = Map.copyOf(backends);
        this.wrappers = Map.copyOf(wrappers);
    }

    /** The pack's own backends and wrappers. */
    public static BackendFactories standard() {
        Map<String, BackendFactory> backends = new LinkedHashMap<>();
        backends.put("ldap", LdapVerifier::fromConfig);
        backends.put("kopano", KopanoVerifier::fromConfig);
        Map<String, WrapperFactory> wrappers = new LinkedHashMap<>();
        wrappers.put("cache", CachingVerifier::fromConfig);
        wrappers.put("throttle", ThrottlingVerifier::fromConfig);
        return new BackendFactories(backends, wrappers);
    }

    /** A copy that also knows {@code element}. */
    public BackendFactories withBackend(String element, BackendFactory factory) {
        Map<String, BackendFactory> more = new LinkedHashMap<>(backends);
        more.put(element, factory);
        return new BackendFactories(more, wrappers);
    }

    /** A copy that also knows the wrapper {@code element} (one of {@link #WRAPPER_ORDER}). */
    public BackendFactories withWrapper(String element, WrapperFactory factory) {
        if (!WRAPPER_ORDER.contains(element)) {
            throw new IllegalArgumentException("unknown wrapper element " + element + ", expected one of " + WRAPPER_ORDER);
        }
        Map<String, WrapperFactory> more = new LinkedHashMap<>(wrappers);
        more.put(element, factory);
        return new BackendFactories(backends, more);
    }

    Optional<BackendFactory> backend(String element) {
        return Optional.ofNullable(backends.get(element));
    }

    Optional<WrapperFactory> wrapper(String element) {
        return Optional.ofNullable(wrappers.get(element));
    }

    Set<String> backendNames() {
        return backends.keySet();
    }
}
