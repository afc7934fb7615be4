package org.jamespack.relay.route;

import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

import org.jamespack.auth.Secret;

import net.jcip.annotations.Immutable;

/**
 * Where mail of one envelope-sender key goes: smarthost, TLS mode, HELO, and the account it
 * authenticates as. Immutable; the password is a {@link Secret}, so printing a route is safe.
 *
 * @param key       the lookup key, lower-case: {@code user@domain}, {@code domain}, {@code *.domain} or {@code *}
 * @param host      smarthost name (also the name its certificate must carry)
 * @param port      smarthost port
 * @param tls       STARTTLS or implicit TLS; there is no plain mode
 * @param helo      name for EHLO, empty for the local host name
 * @param user      AUTH identity (the cloud mailbox); empty means no AUTH
 * @param oauth     token source reference ({@code oauth=}), resolved by the token registry
 * @param password  password ({@code password=}) for providers without OAuth
 * @param mechanism the forced SASL mechanism; empty exactly when {@code user} is empty
 * @param limits    sending limits of this mailbox
 * @param origin    {@code file:line} (or mailet parameter) the route was read from, for messages
 */
@Immutable
public record Route(String key, String host, int port, TlsMode tls, Optional<String> helo, Optional<String> user,
                   Optional<String> oauth, Optional<Secret> password, Optional<Mechanism> mechanism,
                   SendingLimits limits, String origin) {

    public Route {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(tls, "tls");
        Objects.requireNonNull(limits, "limits");
        Objects.requireNonNull(origin, "origin");
        key = key.toLowerCase(Locale.ROOT);
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
        if (oauth.isPresent() && password.isPresent()) {
            throw new IllegalArgumentException("oauth= and password= exclude each other");
        }
        if (user.isPresent() != mechanism.isPresent()) {
            throw new IllegalArgumentException("a mechanism goes with a user");
        }
        if (mechanism.isPresent() && mechanism.get().usesToken() != oauth.isPresent()) {
            throw new IllegalArgumentException("mechanism " + mechanism.get().configName()
                + (oauth.isPresent() ? " needs password=" : " needs oauth="));
        }
    }

    /** Whether this route authenticates with an OAuth2 token. */
    public boolean usesToken() {
        return oauth.isPresent();
    }

    /** {@code host:port}, for logs. */
    public String smarthost() {
        return host + ":" + port;
    }

    /** Identity for logs and limits: the account, else the smarthost. */
    public String account() {
        return user.orElse("(no auth)@" + smarthost());
    }
}
