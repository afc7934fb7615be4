package org.jamespack.relay.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
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
 *
 * <p>Without James there is no relay scheduler to keep quiet accounts alive, so this class
 * refreshes every account idle for {@link #MAX_IDLE} itself, checking twice a day: Microsoft ends
 * a refresh token after 90 days unused, and a broker whose clients send little would lose it.
 */
@ThreadSafe
public final class TokenFileBrokerSources implements BrokerTokenSources {

    /** Accounts unused this long are refreshed (far inside Microsoft's 90 days and Google's 6 months). */
    public static final Duration MAX_IDLE = Duration.ofDays(7);

    private final Path dir;
    private final TokenRegistry registry;
    private final ScheduledExecutorService idle = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "token-broker-idle-refresh");
        t.setDaemon(true);
        return t;
    });

    public TokenFileBrokerSources(Path dir, PathDefaults defaults) {
        this.dir = Objects.requireNonNull(dir, "dir").toAbsolutePath().normalize();
        this.registry = TokenRegistry.builder().pathDefaults(defaults).build();
        idle.scheduleWithFixedDelay(() -> registry.refreshIdle(MAX_IDLE), 1, 12, TimeUnit.HOURS);
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
        idle.shutdownNow();
        registry.close();
    }
}
