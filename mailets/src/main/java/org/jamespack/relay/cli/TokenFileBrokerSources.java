package org.jamespack.relay.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.function.Function;

import org.jamespack.relay.broker.BrokerTokenSources;
import org.jamespack.relay.token.PathDefaults;
import org.jamespack.relay.token.TokenRegistry;
import org.jamespack.relay.token.TokenSource;

import net.jcip.annotations.ThreadSafe;

/**
 * The standalone broker's token sources: account {@code A} is served from the sasl-xoauth2 token
 * file {@code DIR/A} through the relay's {@link TokenRegistry} (same refresh, lock and atomic
 * write). Thread-safe (the registry is).
 */
@ThreadSafe
public final class TokenFileBrokerSources implements BrokerTokenSources {

    private final Path dir;
    private final TokenRegistry registry;

    public TokenFileBrokerSources(Path dir, PathDefaults defaults) {
        this.dir = Objects.requireNonNull(dir, "dir").toAbsolutePath().normalize();
        this.registry = TokenRegistry.builder().pathDefaults(defaults).build();
    }

    @Override
    public Function<String, TokenSource> resolver(Path configFile) {
        return account -> {
            Path file = dir.resolve(account).normalize();
            if (!file.getParent().equals(dir) || account.contains("/")) {
                throw new IllegalArgumentException("'" + account + "' cannot name a file in " + dir);
            }
            if (!Files.isRegularFile(file)) {
                throw new IllegalArgumentException("no token file " + file + " (create it with token init)");
            }
            return registry.resolve(file.toString(), account);
        };
    }

    @Override
    public void close() {
        registry.close();
    }
}
