package org.jamespack.relay.route;

import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

import org.jamespack.foundation.Secret;
import org.jamespack.relay.graph.GraphEndpoint;

import net.jcip.annotations.Immutable;

/**
 * Where mail of one envelope-sender key goes: smarthost, TLS mode, HELO, and the account it
 * authenticates as; or, for a Graph route, the Graph URL and the mailbox that sends. Immutable; the password is a
 * {@link Secret}, so printing a route is safe.
 *
 * <p>A Graph route ({@code transport=graph}) keeps the SMTP fields filled from its Graph URL (host, port 443, implicit
 * TLS), so that logs, limits and reports name it the same way; it has a user and a token source, and no mechanism or
 * password.
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
 * @param submitters the James users allowed to send through this route's account, lower-case; empty: each authenticated
 *                  user only as a sender address they own (see {@code org.jamespack.relay.delivery.SubmitterCheck})
 * @param unauthenticated whether mail without an authenticated submitter may use this route's account; empty: the
 *                  mailet's {@code unauthenticated} setting decides
 * @param graph     where Graph is, for a route that sends through Graph's {@code sendMail}; empty for SMTP
 */
@Immutable
public record Route(String key, String host, int port, TlsMode tls, Optional<String> helo, Optional<String> user,
                   Optional<String> oauth, Optional<Secret> password, Optional<Mechanism> mechanism,
                   SendingLimits limits, String origin, Set<String> submitters, Optional<Boolean> unauthenticated,
                   Optional<GraphEndpoint> graph) {

    public Route {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(tls, "tls");
        Objects.requireNonNull(limits, "limits");
        Objects.requireNonNull(origin, "origin");
        key = key.toLowerCase(Locale.ROOT);
        submitters = submitters.stream().map(u -> u.toLowerCase(Locale.ROOT)).collect(java.util.stream.Collectors.toUnmodifiableSet());
        Objects.requireNonNull(unauthenticated, "unauthenticated");
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
        if (oauth.isPresent() && password.isPresent()) {
            throw new IllegalArgumentException("oauth= and password= exclude each other");
        }
        Objects.requireNonNull(graph, "graph");
        if (graph.isPresent()) {
            if (user.isEmpty() || oauth.isEmpty() || mechanism.isPresent()) {
                throw new IllegalArgumentException("a Graph route has a user and oauth=, and no SASL mechanism");
            }
        } else if (user.isPresent() != mechanism.isPresent()) {
            throw new IllegalArgumentException("a mechanism goes with a user");
        }
        if (mechanism.isPresent() && mechanism.get().usesToken() != oauth.isPresent()) {
            throw new IllegalArgumentException("mechanism " + mechanism.get().configName()
                + (oauth.isPresent() ? " needs password=" : " needs oauth="));
        }
    }

    /** A route of {@code key} with the sender-identity settings left at their defaults (no submitter list, the mailet's rule). */
    public Route(String key, String host, int port, TlsMode tls, Optional<String> helo, Optional<String> user, Optional<String> oauth,
                 Optional<Secret> password, Optional<Mechanism> mechanism, SendingLimits limits, String origin) {
        this(key, host, port, tls, helo, user, oauth, password, mechanism, limits, origin, Set.of(), Optional.empty());
    }

    /** An SMTP route (no Graph). */
    public Route(String key, String host, int port, TlsMode tls, Optional<String> helo, Optional<String> user, Optional<String> oauth,
                 Optional<Secret> password, Optional<Mechanism> mechanism, SendingLimits limits, String origin,
                 Set<String> submitters, Optional<Boolean> unauthenticated) {
        this(key, host, port, tls, helo, user, oauth, password, mechanism, limits, origin, submitters, unauthenticated,
            Optional.empty());
    }

    /** Whether this route sends through Microsoft Graph rather than SMTP. */
    public boolean usesGraph() {
        return graph.isPresent();
    }

    /**
     * This route authenticating as {@code identity} instead of its {@code user=} (a token file's {@code user} key), for
     * SMTP AUTH. Graph delivery does not use it: it calls the {@code sendMail} of the route's own {@code user=}.
     */
    public Route withUser(String identity) {
        return new Route(key, host, port, tls, helo, Optional.of(identity), oauth, password, mechanism, limits, origin,
            submitters, unauthenticated, graph);
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
