package org.jamespack.relay.route;

import net.jcip.annotations.Immutable;

/**
 * How a route's connection is protected. There is deliberately no plain-text mode.
 * Immutable and thread-safe.
 */
@Immutable
public enum TlsMode {
    /** Connect in plain text, then {@code STARTTLS} (required: no STARTTLS in the EHLO, no delivery). Default port 587. */
    STARTTLS(587),
    /** TLS from the first byte (SMTPS). Default port 465. */
    IMPLICIT(465);

    private final int defaultPort;

    TlsMode(int defaultPort) {
        this.defaultPort = defaultPort;
    }

    public int defaultPort() {
        return defaultPort;
    }
}
