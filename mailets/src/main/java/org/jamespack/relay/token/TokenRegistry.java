package org.jamespack.relay.token;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

import org.jamespack.foundation.config.ConfigNode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import net.jcip.annotations.NotThreadSafe;
import net.jcip.annotations.ThreadSafe;

/**
 * Turns a route's {@code oauth=} value and account into a {@link TokenSource}, one per
 * (reference, account), created on first use and then shared. Thread-safe.
 *
 * <p>A reference is either the {@code name} of a {@code <tokenSource>} declared in the mailet's
 * configuration, or an absolute path, as in exim's smart-hosts file:
 * <ul>
 *   <li>a regular file: a sasl-xoauth2 token file, refreshed with its own {@code client_id},
 *   {@code client_secret}, {@code token_endpoint} or the global {@code sasl-xoauth2.conf}'s;</li>
 *   <li>a UNIX socket: a credential broker, asked {@code SMTP <account>};</li>
 *   <li>a path that does not exist yet: a broker when it ends in {@code .sock} or
 *   {@code .socket}, else a token file (CREDENTIAL_BROKEN until the file appears).</li>
 * </ul>
 * A path is looked at again on every use ({@link PathTokenSource}), so a socket or file that
 * appears later is used as what it is, without a restart.
 */
@ThreadSafe
public final class TokenRegistry implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(TokenRegistry.class);

    private final Map<String, TokenSourceFactory> named;
    private final PathDefaults defaults;
    private final ConcurrentMap<Key, TokenSource> open = new ConcurrentHashMap<>();

    private TokenRegistry(Map<String, TokenSourceFactory> named, PathDefaults defaults) {
        this.named = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(named));
        this.defaults = defaults;
    }

    /**
     * Reads the {@code <tokenSource>} elements and the token settings of the mailet's element
     * ({@code saslXoauth2Config}, {@code tokenRefreshWindow}, {@code tokenConnectTimeout},
     * {@code tokenReadTimeout}, {@code brokerTimeout}; other keys of that element are left alone
     * for the mailet to read). Problems are recorded on the nodes' collector with file, line and
     * key, never with a secret value; the caller calls {@code problems().throwIfAny()} once it
     * has read everything. Sources with problems are left out of the registry.
     */
    public static TokenRegistry fromConfig(List<ConfigNode> tokenSourceNodes, ConfigNode globalSettings) {
        PathDefaults defaults = TokenSourceConfig.defaults(globalSettings);
        Map<String, TokenSourceFactory> named = new LinkedHashMap<>();
        Set<String> seen = new java.util.HashSet<>();
        for (ConfigNode node : tokenSourceNodes) {
            Optional<TokenSourceFactory> factory = TokenSourceConfig.read(node, defaults);
            String name = node.string(TokenSourceConfig.NAME).orElse("");
            if (!name.isEmpty() && !seen.add(name)) {
                node.problem(TokenSourceConfig.NAME, "'" + name + "' is declared twice");
                continue;
            }
            factory.ifPresent(f -> named.put(name, f));
        }
        return new TokenRegistry(named, defaults);
    }

    /** For code and tests: sources built by hand. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The token source for {@code account} through {@code oauthReference}; the same instance for
     * the same pair.
     *
     * @throws IllegalArgumentException when the reference is neither a declared name nor an
     *                                  absolute path, or the account cannot be used with it
     */
    public TokenSource resolve(String oauthReference, String account) {
        Objects.requireNonNull(oauthReference, "oauthReference");
        Objects.requireNonNull(account, "account");
        String ref = oauthReference.trim();
        if (account.isBlank()) {
            throw new IllegalArgumentException("oauth=" + ref + " needs a user= (the account to get a token for)");
        }
        return open.computeIfAbsent(new Key(ref, account), k -> create(k.reference(), k.account()));
    }

    private TokenSource create(String ref, String account) {
        TokenSourceFactory factory = named.get(ref);
        if (factory != null) {
            return factory.open(account);
        }
        if (!ref.startsWith("/")) {
            throw new IllegalArgumentException("oauth=" + ref + " is neither a declared tokenSource " + named.keySet()
                + " nor an absolute path");
        }
        Path path = Path.of(ref);
        if (Files.isDirectory(path)) {
            throw new IllegalArgumentException("oauth=" + ref + " is a directory, not a token file or socket");
        }
        // looked at again on every use: a broker that starts after James turns the route into a broker route
        return new PathTokenSource(path, account, kind -> kind == PathTokenSource.Kind.BROKER_SOCKET
            ? new BrokerTokenSource(path, account, defaults.brokerTimeout(), defaults.brokerAssumedLifetime(), defaults.clock())
            : TokenFileBinding.plain(defaults).open(account, "token file " + ref, path));
    }

    /** The declared names. */
    public Set<String> names() {
        return named.keySet();
    }

    /** The status of every source opened so far, for health checks. */
    public List<TokenStatus> statuses() {
        List<TokenStatus> all = new ArrayList<>();
        for (TokenSource s : open.values()) {
            all.add(s.status());
        }
        return all;
    }

    /**
     * Refreshes every open source idle for longer than {@code maxIdle} (the relay's scheduler
     * calls it daily, so that refresh tokens which die unused, Microsoft's after 90 days, stay
     * alive).
     *
     * @return how many sources called their endpoint
     */
    public int refreshIdle(Duration maxIdle) {
        int n = 0;
        for (TokenSource s : open.values()) {
            if (s.refreshIfIdle(maxIdle)) {
                n++;
            }
        }
        return n;
    }

    /** Closes every open source; the registry must not be used afterwards. */
    @Override
    public void close() {
        for (TokenSource s : open.values()) {
            try {
                s.close();
            } catch (RuntimeException e) {
                LOG.warn("closing token source for {} failed: {}", s.account(), e.toString());
            }
        }
        open.clear();
    }

    @Override
    public String toString() {
        return "TokenRegistry" + named.keySet();
    }

    private record Key(String reference, String account) {
    }

    /** Builds a registry in code. Not thread-safe. */
    @NotThreadSafe
    public static final class Builder {
        private final Map<String, TokenSourceFactory> named = new LinkedHashMap<>();
        private PathDefaults defaults = PathDefaults.standard();

        private Builder() {
        }

        /** Declares {@code name}; {@code factory} opens the source of each account. */
        public Builder source(String name, TokenSourceFactory factory) {
            if (!TokenSourceConfig.NAME_SYNTAX.matcher(name).matches()) {
                throw new IllegalArgumentException("'" + name + "' is not a valid token source name");
            }
            if (named.putIfAbsent(name, Objects.requireNonNull(factory, "factory")) != null) {
                throw new IllegalArgumentException("'" + name + "' is declared twice");
            }
            return this;
        }

        /** The settings for path references. */
        public Builder pathDefaults(PathDefaults d) {
            this.defaults = Objects.requireNonNull(d, "defaults");
            return this;
        }

        public TokenRegistry build() {
            return new TokenRegistry(named, defaults);
        }
    }
}
