package org.jamespack.relay.token;

import org.jamespack.foundation.tls.TrustAnchors;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

import javax.net.ssl.SSLSocketFactory;

import org.jamespack.foundation.Secret;

import net.jcip.annotations.Immutable;

/**
 * How a sasl-xoauth2 token file is refreshed: each setting comes from the pack's configuration
 * when given there, else from the token file, else from the global {@code sasl-xoauth2.conf},
 * else sasl-xoauth2's built-in default (Google's legacy endpoint). Immutable and thread-safe;
 * the record prints secrets as {@code Secret[redacted]}.
 */
@Immutable
record TokenFileBinding(Optional<String> clientId, Optional<Secret> clientSecret, Optional<String> tokenEndpoint,
                        Optional<String> scope, Optional<Duration> windowOverride,
                        Optional<SSLSocketFactory> trustOverride, Optional<String> proxyOverride,
                        PathDefaults defaults) {

    TokenFileBinding {
        Objects.requireNonNull(defaults, "defaults");
    }

    static TokenFileBinding plain(PathDefaults defaults) {
        return new TokenFileBinding(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
            Optional.empty(), Optional.empty(), Optional.empty(), defaults);
    }

    RefreshingTokenSource open(String account, String description, Path file) {
        return RefreshingTokenSource.tokenFile(account, description, file, this::grant, this::window, defaults.clock());
    }

    /** @throws IllegalArgumentException when the file and its defaults give no usable client */
    TokenGrant grant(TokenFile f) {
        SaslXoauth2Config g = defaults.global();
        String endpoint = tokenEndpoint.or(f::tokenEndpoint).or(g::tokenEndpoint)
            .orElse(SaslXoauth2Config.DEFAULT_TOKEN_ENDPOINT);
        String id = clientId.or(f::clientId).or(g::clientId).orElseThrow(() ->
            new IllegalArgumentException("no client_id in the token file, the global sasl-xoauth2.conf or the settings"));
        Optional<Secret> secret = clientSecret.or(f::clientSecret).or(g::clientSecret);
        Optional<SSLSocketFactory> tls = trustOverride.isPresent() ? trustOverride
            : TrustAnchors.socketFactory(f.caBundleFile().or(g::caBundleFile).map(Path::of),
                f.caCertsDir().or(g::caCertsDir).map(Path::of), Optional.empty(), Optional.empty(), "PKCS12");
        Optional<String> proxy = proxyOverride.or(f::proxy).or(g::proxy);
        EndpointSettings settings = new EndpointSettings(uri(endpoint), defaults.connectTimeout(), defaults.readTimeout(),
            tls, proxy.map(EndpointSettings::parseProxy));
        return new RefreshTokenGrantCall(settings, id, secret, scope, defaults.clock());
    }

    Duration window(TokenFile f) {
        return windowOverride.or(f::refreshWindow).or(() -> defaults.global().refreshWindow())
            .orElse(defaults.refreshWindow());
    }

    static URI uri(String value) {
        try {
            URI u = new URI(value);
            if (!u.isAbsolute()) {
                throw new IllegalArgumentException("token endpoint '" + value + "' is not an absolute URL");
            }
            return u;
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("token endpoint '" + value + "' is not a URL");
        }
    }
}
