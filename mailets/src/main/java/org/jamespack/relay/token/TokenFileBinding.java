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
 *
 * <p>A key the token file names wins over the global file even when its value is empty, as in
 * sasl-xoauth2 0.27 and later: an empty {@code client_secret} is a public client (no secret is
 * sent), an empty {@code proxy}, {@code ca_bundle_file} or {@code ca_certs_dir} means none. An
 * empty {@code client_id} or {@code token_endpoint} cannot mean anything and is refused.
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
        refuseEmpty(f, TokenFile.CLIENT_ID, f.clientId());
        refuseEmpty(f, TokenFile.TOKEN_ENDPOINT, f.tokenEndpoint());
        String endpoint = tokenEndpoint.or(f::tokenEndpoint).or(g::tokenEndpoint)
            .orElse(SaslXoauth2Config.DEFAULT_TOKEN_ENDPOINT);
        String id = clientId.or(f::clientId).or(g::clientId).orElseThrow(() ->
            new IllegalArgumentException("no client_id in the token file, the global sasl-xoauth2.conf or the settings"));
        Optional<Secret> secret = clientSecret.or(() -> fileFirst(f, TokenFile.CLIENT_SECRET, f.clientSecret(), g.clientSecret()));
        Optional<SSLSocketFactory> tls = trustOverride.isPresent() ? trustOverride
            : TrustAnchors.socketFactory(fileFirst(f, TokenFile.CA_BUNDLE_FILE, f.caBundleFile(), g.caBundleFile()).map(Path::of),
                fileFirst(f, TokenFile.CA_CERTS_DIR, f.caCertsDir(), g.caCertsDir()).map(Path::of), Optional.empty(),
                Optional.empty(), "PKCS12");
        Optional<String> proxy = proxyOverride.or(() -> fileFirst(f, TokenFile.PROXY, f.proxy(), g.proxy()));
        EndpointSettings settings = new EndpointSettings(uri(endpoint), defaults.connectTimeout(), defaults.readTimeout(),
            tls, proxy.map(EndpointSettings::parseProxy));
        return new RefreshTokenGrantCall(settings, id, secret, scope, defaults.clock());
    }

    /** The token file's value when it names the key (empty included), else the global one. */
    private static <T> Optional<T> fileFirst(TokenFile f, String key, Optional<T> fromFile, Optional<T> global) {
        return f.names(key) ? fromFile : global;
    }

    private static void refuseEmpty(TokenFile f, String key, Optional<String> value) {
        if (f.names(key) && value.isEmpty()) {
            throw new IllegalArgumentException("'" + key + "' is empty in the token file; remove it to use the global"
                + " sasl-xoauth2.conf's, or give a value");
        }
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
