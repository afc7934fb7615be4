package org.jamespack.relay.graph;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Set;

import net.jcip.annotations.Immutable;

/**
 * Where Microsoft Graph is: the base URL that {@code /users/{mailbox}/sendMail} is appended to. Immutable and
 * thread-safe; holds no secret.
 *
 * <p>The URL must be {@code https}: the request carries a bearer token and the whole message. As for token endpoints,
 * plain {@code http} is accepted only to this host (test stand-ins, a local proxy). National clouds have their own
 * hosts ({@code https://graph.microsoft.us/v1.0}, {@code https://dod-graph.microsoft.us/v1.0},
 * {@code https://microsoftgraph.chinacloudapi.cn/v1.0}).
 *
 * @param base the base URL, without a trailing slash
 */
@Immutable
public record GraphEndpoint(URI base) {

    // before GLOBAL: static fields initialise in order, and GLOBAL's constructor reads this
    private static final Set<String> LOOPBACK_HOSTS = Set.of("127.0.0.1", "localhost", "[::1]", "::1");

    /** Microsoft Graph's global service, version 1.0. */
    public static final GraphEndpoint GLOBAL = new GraphEndpoint(URI.create("https://graph.microsoft.com/v1.0"));

    public GraphEndpoint {
        String scheme = base.getScheme() == null ? "" : base.getScheme().toLowerCase(Locale.ROOT);
        if (base.getHost() == null || base.isOpaque()) {
            throw new IllegalArgumentException("'" + base + "' is not an absolute URL with a host");
        }
        if (base.getRawUserInfo() != null || base.getRawQuery() != null || base.getRawFragment() != null) {
            throw new IllegalArgumentException("'" + base + "': no user information, query or fragment in the Graph URL");
        }
        boolean loopback = LOOPBACK_HOSTS.contains(base.getHost().toLowerCase(Locale.ROOT));
        if (!scheme.equals("https") && !(scheme.equals("http") && loopback)) {
            throw new IllegalArgumentException("'" + base + "': the Graph URL must be https (http only on loopback)");
        }
        String s = base.toString();
        while (s.endsWith("/")) {
            s = s.substring(0, s.length() - 1);
        }
        base = URI.create(s);
    }

    /** Parses an operator's value; the exception's message says what is wrong. */
    public static GraphEndpoint parse(String value) {
        try {
            return new GraphEndpoint(new URI(value.strip()));
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("'" + value + "' is not a URL");
        }
    }

    /** {@code base/users/{mailbox}/sendMail}, the mailbox percent-encoded as one path segment. */
    public URI sendMail(String mailbox) {
        return URI.create(base + "/users/" + segment(mailbox) + "/sendMail");
    }

    /** The port, given or the scheme's. */
    public int port() {
        return base.getPort() > 0 ? base.getPort() : base.getScheme().equalsIgnoreCase("https") ? 443 : 80;
    }

    /** The host and port, for logs and the route's identity. */
    public String hostPort() {
        return base.getHost() + ":" + port();
    }

    /** RFC 3986 path segment: unreserved characters and {@code @} as they are, the rest percent-encoded. */
    static String segment(String value) {
        StringBuilder out = new StringBuilder();
        for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || "-._~@".indexOf(c) >= 0) {
                out.append((char) c);
            } else {
                out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                    .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return out.toString();
    }

    @Override
    public String toString() {
        return base.toString();
    }
}
