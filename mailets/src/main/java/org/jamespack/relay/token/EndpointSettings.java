package org.jamespack.relay.token;

import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

import javax.net.ssl.SSLSocketFactory;

import net.jcip.annotations.Immutable;

/**
 * How to reach a token endpoint: its URL, time-outs (always set: a hung endpoint must not hang
 * delivery threads), an optional trust anchor set and an optional proxy. Immutable and
 * thread-safe; holds no secret.
 *
 * @param tokenEndpoint  the token endpoint URL ({@code https}; {@code http} only to a loopback address)
 * @param connectTimeout connect time-out
 * @param readTimeout    read time-out
 * @param tls            a socket factory trusting the configured CA bundle or trust store;
 *                       empty = the JVM's default trust store
 * @param proxy          an HTTP or SOCKS proxy; empty = direct
 */
@Immutable
public record EndpointSettings(URI tokenEndpoint, Duration connectTimeout, Duration readTimeout,
                               Optional<SSLSocketFactory> tls, Optional<Proxy> proxy) {

    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
    public static final Duration DEFAULT_READ_TIMEOUT = Duration.ofSeconds(30);

    private static final java.util.Set<String> LOOPBACK_HOSTS = java.util.Set.of("127.0.0.1", "localhost", "[::1]", "::1");

    public EndpointSettings {
        Objects.requireNonNull(tokenEndpoint, "tokenEndpoint");
        Objects.requireNonNull(tls, "tls");
        Objects.requireNonNull(proxy, "proxy");
        if (connectTimeout.isZero() || connectTimeout.isNegative() || readTimeout.isZero() || readTimeout.isNegative()) {
            throw new IllegalArgumentException("time-outs must be positive (zero would mean wait forever)");
        }
        if (tokenEndpoint.getRawUserInfo() != null) {
            // never sent (the client authenticates in the body or a Basic header), but printed in every failure detail
            throw new IllegalArgumentException("token endpoint: user information in the URL is not supported "
                + "(give client_id and client_secret)");
        }
        String scheme = tokenEndpoint.getScheme() == null ? "" : tokenEndpoint.getScheme().toLowerCase(Locale.ROOT);
        // A refresh token or client secret sent in clear text is as good as published: plain
        // http is allowed only to this host (test stand-ins, a local broker-style proxy).
        boolean loopback = LOOPBACK_HOSTS.contains(String.valueOf(tokenEndpoint.getHost()).toLowerCase(Locale.ROOT));
        if (!scheme.equals("https") && !(scheme.equals("http") && loopback)) {
            throw new IllegalArgumentException("token endpoint must be an https URL (http only on loopback)");
        }
    }

    /** Default time-outs, the JVM's trust store, no proxy. */
    public static EndpointSettings of(URI tokenEndpoint) {
        return new EndpointSettings(tokenEndpoint, DEFAULT_CONNECT_TIMEOUT, DEFAULT_READ_TIMEOUT, Optional.empty(),
            Optional.empty());
    }

    public EndpointSettings withTokenEndpoint(URI endpoint) {
        return new EndpointSettings(endpoint, connectTimeout, readTimeout, tls, proxy);
    }

    public EndpointSettings withTls(Optional<SSLSocketFactory> factory) {
        return new EndpointSettings(tokenEndpoint, connectTimeout, readTimeout, factory, proxy);
    }

    public EndpointSettings withProxy(Optional<Proxy> p) {
        return new EndpointSettings(tokenEndpoint, connectTimeout, readTimeout, tls, p);
    }

    /**
     * Parses a curl-style proxy as sasl-xoauth2 takes it: {@code http://host:port},
     * {@code socks5://host:port} (or a bare {@code host:port}, HTTP).
     */
    public static Proxy parseProxy(String value) {
        String v = value.trim();
        Proxy.Type type = Proxy.Type.HTTP;
        int sep = v.indexOf("://");
        if (sep >= 0) {
            String scheme = v.substring(0, sep).toLowerCase(Locale.ROOT);
            if (scheme.startsWith("socks")) {
                type = Proxy.Type.SOCKS;
            } else if (!scheme.equals("http") && !scheme.equals("https")) {
                throw new IllegalArgumentException("proxy scheme must be http or socks5");
            }
            v = v.substring(sep + 3);
        }
        if (v.endsWith("/")) {
            v = v.substring(0, v.length() - 1);
        }
        if (v.contains("@")) {
            throw new IllegalArgumentException("proxy credentials are not supported");
        }
        int colon = v.lastIndexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("proxy must be host:port");
        }
        int port;
        try {
            port = Integer.parseInt(v.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("proxy port is not a number");
        }
        return new Proxy(type, InetSocketAddress.createUnresolved(v.substring(0, colon), port));
    }
}
