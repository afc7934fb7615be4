package org.jamespack.relay.route;

import java.util.Locale;

import net.jcip.annotations.Immutable;

/**
 * The SASL mechanism a route authenticates with; forced, never negotiated down.
 * Immutable and thread-safe.
 */
@Immutable
public enum Mechanism {
    /** Google/Microsoft XOAUTH2 with a bearer token ({@code oauth=} routes, the default for them). */
    XOAUTH2(true),
    /** RFC 7628 OAUTHBEARER ({@code oauth=} routes; not for Microsoft 365). */
    OAUTHBEARER(true),
    /** RFC 4616 PLAIN ({@code password=} routes, the default for them). */
    PLAIN(false),
    /** LOGIN ({@code password=} routes). */
    LOGIN(false);

    private final boolean usesToken;

    Mechanism(boolean usesToken) {
        this.usesToken = usesToken;
    }

    /** Whether the credential is an OAuth2 bearer token (else a password). */
    public boolean usesToken() {
        return usesToken;
    }

    /** The name sent in {@code AUTH}. */
    public String wireName() {
        return name();
    }

    public String configName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
