package org.jamespack.relay.worker;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.jamespack.relay.delivery.RegistryTokenSources;
import org.jamespack.relay.delivery.TokenSources;
import org.jamespack.relay.ops.RelayMetrics;
import org.jamespack.relay.route.Route;
import org.jamespack.relay.route.RouteSource;
import org.jamespack.relay.token.TokenSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import net.jcip.annotations.ThreadSafe;
import reactor.core.scheduler.Scheduler;

/**
 * Keeps the relay's tokens fresh ahead of mail: asks every token route's source for its token on a period (cached
 * tokens cost nothing, tokens inside the refresh window are refreshed now rather than when a message waits, and the
 * health check and metrics follow the token endpoint when no mail flows), and refreshes sources idle for long, whose
 * refresh tokens would otherwise die unused (Microsoft's after 90 days). Thread-safe: it runs on the relay's
 * scheduler and holds no state of its own.
 */
@ThreadSafe
public final class TokenUpkeep {

    private static final Logger LOGGER = LoggerFactory.getLogger(TokenUpkeep.class);

    private final String mailetName;
    private final RouteSource routes;
    private final TokenSources tokens;
    private final RelayMetrics metrics;

    public TokenUpkeep(String mailetName, RouteSource routes, TokenSources tokens, RelayMetrics metrics) {
        this.mailetName = mailetName;
        this.routes = routes;
        this.tokens = tokens;
        this.metrics = metrics;
    }

    /**
     * Schedules the idle refresh (every {@code idleRefresh}, for registry token sources) and the upkeep (every
     * {@code period}, at once first; none when zero or when no route uses a token) on {@code scheduler}, which
     * the relay disposes of at its end.
     */
    public void start(Scheduler scheduler, Duration idleRefresh, Duration period) {
        if (tokens instanceof RegistryTokenSources registry) {
            scheduler.schedulePeriodically(() -> {
                try {
                    int n = registry.refreshIdle(idleRefresh);
                    LOGGER.info("XOAuth2Relay: refreshed {} idle token source(s)", n);
                } catch (RuntimeException e) {
                    LOGGER.warn("XOAuth2Relay: idle token refresh failed", e);
                }
            }, idleRefresh.toMillis(), idleRefresh.toMillis(), TimeUnit.MILLISECONDS);
        }
        if (!period.isZero() && routes.current().routes().stream().anyMatch(Route::usesToken)) {
            scheduler.schedulePeriodically(this::upkeep, 0, period.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /** One round: every token route's source asked for its token, the answer counted. */
    public void upkeep() {
        try {
            for (Route r : routes.current().routes()) {
                if (!r.usesToken()) {
                    continue;
                }
                Optional<TokenSource> source = tokens.forRoute(r);
                if (source.isPresent()) {
                    source.get().token(false);
                    metrics.tokenObserved(source.get().status());
                }
            }
        } catch (RuntimeException e) {
            // the next tick tries again; mail delivery asks the sources itself anyway
            LOGGER.warn("XOAuth2Relay {}: token upkeep failed", mailetName, e);
        }
    }
}
