package org.jamespack.relay.token;

import java.time.Clock;
import java.time.Duration;
import java.util.Objects;

import net.jcip.annotations.Immutable;

/**
 * The settings for {@code oauth=} values that are paths rather than names: a sasl-xoauth2 token
 * file (refreshed with its own {@code client_id}/{@code token_endpoint}, else the global file's)
 * or a broker socket. Immutable and thread-safe.
 *
 * @param global                 sasl-xoauth2's global configuration (defaults for every token file)
 * @param refreshWindow          the window when neither the file nor the global file sets one
 * @param connectTimeout         token endpoint connect time-out
 * @param readTimeout            token endpoint read time-out
 * @param brokerTimeout          the whole broker exchange's time-out
 * @param brokerAssumedLifetime  the lifetime claimed for a broker's token
 * @param clock                  the clock (tests)
 */
@Immutable
public record PathDefaults(SaslXoauth2Config global, Duration refreshWindow, Duration connectTimeout,
                           Duration readTimeout, Duration brokerTimeout, Duration brokerAssumedLifetime, Clock clock) {

    public PathDefaults {
        Objects.requireNonNull(global, "global");
        Objects.requireNonNull(refreshWindow, "refreshWindow");
        Objects.requireNonNull(clock, "clock");
    }

    /** No global file, the pack's defaults. */
    public static PathDefaults standard() {
        return new PathDefaults(SaslXoauth2Config.empty(), RefreshingTokenSource.DEFAULT_WINDOW,
            EndpointSettings.DEFAULT_CONNECT_TIMEOUT, EndpointSettings.DEFAULT_READ_TIMEOUT,
            BrokerTokenSource.DEFAULT_TIMEOUT, BrokerTokenSource.DEFAULT_ASSUMED_LIFETIME, Clock.systemUTC());
    }

    public PathDefaults withGlobal(SaslXoauth2Config g) {
        return new PathDefaults(g, refreshWindow, connectTimeout, readTimeout, brokerTimeout, brokerAssumedLifetime, clock);
    }
}
