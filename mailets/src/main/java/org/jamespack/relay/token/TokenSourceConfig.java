package org.jamespack.relay.token;

import org.jamespack.foundation.tls.TrustAnchors;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

import javax.net.ssl.SSLSocketFactory;

import org.jamespack.foundation.Secret;
import org.jamespack.foundation.config.ConfigNode;

import net.jcip.annotations.Immutable;

/**
 * Reads one {@code <tokenSource name=… type=…>} element into a {@link TokenSourceFactory}, and
 * the token settings of the mailet's own element into {@link PathDefaults}. Every key is
 * documented in this package's {@code package-info.java}; a test keeps the table and these
 * constants in step. Problems go to the node's collector with file, line and key; secret values
 * are never quoted. Stateless and thread-safe.
 */
@Immutable
public final class TokenSourceConfig {

    // <tokenSource> keys
    public static final String NAME = "name";
    public static final String TYPE = "type";
    public static final String TOKEN_ENDPOINT = "tokenEndpoint";
    public static final String CLIENT_ID = "clientId";
    public static final String CLIENT_SECRET = "clientSecret";
    public static final String REFRESH_TOKEN = "refreshToken";
    public static final String TOKEN_FILE = "tokenFile";
    public static final String PATH = "path";
    public static final String SCOPE = "scope";
    public static final String CERTIFICATE = "certificate";
    public static final String PRIVATE_KEY = "privateKey";
    public static final String SERVICE_ACCOUNT_KEY_FILE = "serviceAccountKeyFile";
    public static final String ASSERTION_LIFETIME = "assertionLifetime";
    public static final String SOCKET = "socket";
    public static final String TIMEOUT = "timeout";
    public static final String ASSUMED_LIFETIME = "assumedLifetime";
    public static final String REFRESH_WINDOW = "refreshWindow";
    public static final String CONNECT_TIMEOUT = "connectTimeout";
    public static final String READ_TIMEOUT = "readTimeout";
    public static final String CA_BUNDLE_FILE = "caBundleFile";
    public static final String CA_CERTS_DIR = "caCertsDir";
    public static final String TRUST_STORE = "trustStore";
    public static final String TRUST_STORE_PASSWORD = "trustStorePassword";
    public static final String TRUST_STORE_TYPE = "trustStoreType";
    public static final String PROXY = "proxy";

    // global keys, read from the mailet's element
    public static final String SASL_XOAUTH2_CONFIG = "saslXoauth2Config";
    public static final String TOKEN_REFRESH_WINDOW = "tokenRefreshWindow";
    public static final String TOKEN_CONNECT_TIMEOUT = "tokenConnectTimeout";
    public static final String TOKEN_READ_TIMEOUT = "tokenReadTimeout";
    public static final String BROKER_TIMEOUT = "brokerTimeout";

    /** The {@code type=} words. */
    public static final String REFRESH_TOKEN_TYPE = "refresh-token";
    public static final String CLIENT_CREDENTIALS_TYPE = "client-credentials";
    public static final String JWT_BEARER_TYPE = "jwt-bearer";
    public static final String TOKEN_FILE_TYPE = "token-file";
    public static final String BROKER_TYPE = "broker";

    /** Placeholder in {@code tokenFile}/{@code path} replaced by the account. */
    public static final String ACCOUNT_PLACEHOLDER = "{account}";

    static final Pattern NAME_SYNTAX = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    private static final Pattern SAFE_ACCOUNT = Pattern.compile("[A-Za-z0-9._%+@-]+");

    private TokenSourceConfig() {
    }

    /** The defaults for path references and every source, from the mailet's own element. */
    public static PathDefaults defaults(ConfigNode global) {
        Duration window = global.duration(TOKEN_REFRESH_WINDOW, RefreshingTokenSource.DEFAULT_WINDOW, Duration.ZERO);
        Duration connect = global.duration(TOKEN_CONNECT_TIMEOUT, EndpointSettings.DEFAULT_CONNECT_TIMEOUT, Duration.ofMillis(1));
        Duration read = global.duration(TOKEN_READ_TIMEOUT, EndpointSettings.DEFAULT_READ_TIMEOUT, Duration.ofMillis(1));
        Duration broker = global.duration(BROKER_TIMEOUT, BrokerTokenSource.DEFAULT_TIMEOUT, Duration.ofMillis(1));
        SaslXoauth2Config conf = SaslXoauth2Config.empty();
        Optional<String> explicit = global.string(SASL_XOAUTH2_CONFIG);
        Path confPath = explicit.map(Path::of).orElse(SaslXoauth2Config.DEFAULT_PATH);
        if (explicit.isPresent() || Files.isRegularFile(confPath)) {
            try {
                conf = SaslXoauth2Config.read(confPath);
            } catch (IOException e) {
                global.problem(SASL_XOAUTH2_CONFIG, "cannot read " + confPath + ": " + e.getClass().getSimpleName());
            } catch (IllegalArgumentException e) {
                global.problem(SASL_XOAUTH2_CONFIG, confPath + " " + e.getMessage());
            }
        }
        return new PathDefaults(conf, window, connect, read, broker, BrokerTokenSource.DEFAULT_ASSUMED_LIFETIME,
            java.time.Clock.systemUTC());
    }

    /** Reads a {@code <tokenSource>}; empty when it has problems (recorded on the node). */
    static Optional<TokenSourceFactory> read(ConfigNode node, PathDefaults defaults) {
        int before = node.problems().list().size();
        String name = node.requiredString(NAME);
        Map<String, String> types = new LinkedHashMap<>();
        for (String t : new String[] {REFRESH_TOKEN_TYPE, CLIENT_CREDENTIALS_TYPE, JWT_BEARER_TYPE, TOKEN_FILE_TYPE, BROKER_TYPE}) {
            types.put(t, t);
        }
        String type = node.has(TYPE) ? node.choice(TYPE, "", types) : "";
        if (!node.has(TYPE)) {
            node.requiredString(TYPE);
        }
        String label = "tokenSource " + name;
        Duration connect = node.duration(CONNECT_TIMEOUT, defaults.connectTimeout(), Duration.ofMillis(1));
        Duration read = node.duration(READ_TIMEOUT, defaults.readTimeout(), Duration.ofMillis(1));
        Optional<Duration> window = node.has(REFRESH_WINDOW)
            ? Optional.of(node.duration(REFRESH_WINDOW, defaults.refreshWindow(), Duration.ZERO)) : Optional.empty();
        TokenSourceFactory factory = switch (type) {
            case REFRESH_TOKEN_TYPE -> refreshToken(node, label, defaults, connect, read, window);
            case CLIENT_CREDENTIALS_TYPE -> clientCredentials(node, label, defaults, connect, read, window);
            case JWT_BEARER_TYPE -> jwtBearer(node, label, defaults, connect, read, window);
            case TOKEN_FILE_TYPE -> tokenFile(node, label, defaults, connect, read, window);
            case BROKER_TYPE -> broker(node, defaults);
            default -> null;
        };
        if (!name.isEmpty() && !NAME_SYNTAX.matcher(name).matches()) {
            node.problem(NAME, "'" + name + "' must be letters, digits, '.', '_' or '-' (a path is not a name)");
        }
        node.reportUnread();
        if (factory == null || node.problems().list().size() > before) {
            return Optional.empty();
        }
        return Optional.of(factory);
    }

    private static TokenSourceFactory refreshToken(ConfigNode node, String label, PathDefaults defaults, Duration connect,
                                                   Duration read, Optional<Duration> window) {
        Optional<String> clientId = node.string(CLIENT_ID);
        Optional<Secret> clientSecret = node.secret(CLIENT_SECRET);
        Optional<Secret> refresh = node.secret(REFRESH_TOKEN);
        Optional<String> file = node.string(TOKEN_FILE);
        Optional<String> endpoint = endpoint(node);
        Optional<String> scope = node.string(SCOPE);
        Optional<SSLSocketFactory> tls = trust(node);
        Optional<String> proxy = proxy(node);
        if (refresh.isPresent() == file.isPresent()) {
            node.problem(REFRESH_TOKEN, "give exactly one of " + REFRESH_TOKEN + " and " + TOKEN_FILE);
            return null;
        }
        if (file.isPresent()) {
            checkAbsolute(node, TOKEN_FILE, file.get());
            TokenFileBinding binding = new TokenFileBinding(clientId, clientSecret, endpoint, scope, window, tls, proxy,
                withTimeouts(defaults, connect, read));
            return account -> binding.open(account, label + " (" + REFRESH_TOKEN_TYPE + ")", accountPath(file.get(), account));
        }
        if (clientId.isEmpty()) {
            node.requiredString(CLIENT_ID);
        }
        if (endpoint.isEmpty()) {
            node.requiredString(TOKEN_ENDPOINT);
        }
        if (clientId.isEmpty() || endpoint.isEmpty()) {
            return null;
        }
        EndpointSettings settings = new EndpointSettings(URI.create(endpoint.get()), connect, read, tls,
            proxy.map(EndpointSettings::parseProxy));
        RefreshTokenGrantCall grant = new RefreshTokenGrantCall(settings, clientId.get(), clientSecret, scope, defaults.clock());
        Duration w = window.orElse(defaults.refreshWindow());
        return account -> RefreshingTokenSource.inMemory(account, label + " (" + REFRESH_TOKEN_TYPE + ")", grant, refresh, w,
            defaults.clock());
    }

    private static TokenSourceFactory clientCredentials(ConfigNode node, String label, PathDefaults defaults,
                                                        Duration connect, Duration read, Optional<Duration> window) {
        String clientId = node.requiredString(CLIENT_ID);
        Optional<String> endpoint = endpoint(node);
        if (endpoint.isEmpty()) {
            node.requiredString(TOKEN_ENDPOINT);
        }
        Optional<Secret> secret = node.secret(CLIENT_SECRET);
        Optional<String> cert = node.string(CERTIFICATE);
        Optional<String> key = node.string(PRIVATE_KEY);
        Optional<String> scope = Optional.of(node.string(SCOPE, ClientCredentialsGrantCall.MICROSOFT_SMTP_SCOPE));
        Optional<SSLSocketFactory> tls = trust(node);
        Optional<String> proxy = proxy(node);
        if (secret.isPresent() == (cert.isPresent() || key.isPresent())) {
            node.problem(CLIENT_SECRET, "give either " + CLIENT_SECRET + " or " + CERTIFICATE + " and " + PRIVATE_KEY);
            return null;
        }
        if (secret.isEmpty() && (cert.isEmpty() || key.isEmpty())) {
            node.problem(cert.isEmpty() ? CERTIFICATE : PRIVATE_KEY, "is required with " + (cert.isEmpty() ? PRIVATE_KEY : CERTIFICATE));
            return null;
        }
        if (clientId.isEmpty() || endpoint.isEmpty()) {
            return null;
        }
        EndpointSettings settings = new EndpointSettings(URI.create(endpoint.get()), connect, read, tls,
            proxy.map(EndpointSettings::parseProxy));
        TokenGrant grant;
        if (secret.isPresent()) {
            grant = ClientCredentialsGrantCall.withSecret(settings, clientId, secret.get(), scope, defaults.clock());
        } else {
            PrivateKey privateKey;
            X509Certificate certificate;
            try {
                certificate = KeyFiles.certificate(Path.of(cert.get()));
            } catch (IOException e) {
                node.problem(CERTIFICATE, e.getMessage());
                return null;
            }
            try {
                privateKey = KeyFiles.privateKey(Path.of(key.get()));
            } catch (IOException e) {
                node.problem(PRIVATE_KEY, e.getMessage());
                return null;
            }
            grant = ClientCredentialsGrantCall.withCertificate(settings, clientId, privateKey, certificate, scope,
                defaults.clock());
        }
        Duration w = window.orElse(defaults.refreshWindow());
        TokenGrant g = grant;
        return account -> RefreshingTokenSource.inMemory(account, label + " (" + CLIENT_CREDENTIALS_TYPE + ")", g,
            Optional.empty(), w, defaults.clock());
    }

    private static TokenSourceFactory jwtBearer(ConfigNode node, String label, PathDefaults defaults, Duration connect,
                                                Duration read, Optional<Duration> window) {
        String keyFile = node.requiredString(SERVICE_ACCOUNT_KEY_FILE);
        Optional<String> endpoint = endpoint(node);
        Optional<String> scope = node.string(SCOPE);
        Duration lifetime = node.duration(ASSERTION_LIFETIME, JwtBearerGrantCall.MAX_ASSERTION_LIFETIME, Duration.ofMillis(1));
        boolean lifetimeOk = lifetime.compareTo(JwtBearerGrantCall.MAX_ASSERTION_LIFETIME) <= 0;
        if (!lifetimeOk) {
            node.problem(ASSERTION_LIFETIME, "must be at most 1h (Google refuses longer assertions)");
        }
        Optional<SSLSocketFactory> tls = trust(node);
        Optional<String> proxy = proxy(node);
        if (keyFile.isEmpty()) {
            return null;
        }
        KeyFiles.GoogleServiceAccount sa;
        try {
            sa = KeyFiles.googleServiceAccount(Path.of(keyFile));
        } catch (IOException e) {
            node.problem(SERVICE_ACCOUNT_KEY_FILE, e.getMessage());
            return null;
        }
        if (!lifetimeOk) {
            return null;
        }
        EndpointSettings settings = new EndpointSettings(URI.create(endpoint.orElse(sa.tokenUri())), connect, read, tls,
            proxy.map(EndpointSettings::parseProxy));
        Duration w = window.orElse(defaults.refreshWindow());
        return account -> RefreshingTokenSource.inMemory(account, label + " (" + JWT_BEARER_TYPE + ")",
            JwtBearerGrantCall.google(sa, account, settings, scope, lifetime, defaults.clock()), Optional.empty(), w,
            defaults.clock());
    }

    private static TokenSourceFactory tokenFile(ConfigNode node, String label, PathDefaults defaults, Duration connect,
                                                Duration read, Optional<Duration> window) {
        String path = node.requiredString(PATH);
        Optional<String> clientId = node.string(CLIENT_ID);
        Optional<Secret> clientSecret = node.secret(CLIENT_SECRET);
        Optional<String> endpoint = endpoint(node);
        Optional<String> scope = node.string(SCOPE);
        Optional<SSLSocketFactory> tls = trust(node);
        Optional<String> proxy = proxy(node);
        if (path.isEmpty()) {
            return null;
        }
        checkAbsolute(node, PATH, path);
        TokenFileBinding binding = new TokenFileBinding(clientId, clientSecret, endpoint, scope, window, tls, proxy,
            withTimeouts(defaults, connect, read));
        return account -> binding.open(account, label + " (" + TOKEN_FILE_TYPE + " " + path + ")", accountPath(path, account));
    }

    private static TokenSourceFactory broker(ConfigNode node, PathDefaults defaults) {
        String socket = node.requiredString(SOCKET);
        Duration timeout = node.duration(TIMEOUT, defaults.brokerTimeout(), Duration.ofMillis(1));
        Duration lifetime = node.duration(ASSUMED_LIFETIME, defaults.brokerAssumedLifetime(), Duration.ofMillis(1));
        if (socket.isEmpty()) {
            return null;
        }
        checkAbsolute(node, SOCKET, socket);
        return account -> new BrokerTokenSource(Path.of(socket), account, timeout, lifetime, defaults.clock());
    }

    /** Replaces {@code {account}}; refuses accounts that would leave the directory. */
    static Path accountPath(String template, String account) {
        if (!template.contains(ACCOUNT_PLACEHOLDER)) {
            return Path.of(template);
        }
        if (!SAFE_ACCOUNT.matcher(account).matches() || account.startsWith(".")) {
            throw new IllegalArgumentException("account '" + account + "' cannot be used in a file name");
        }
        return Path.of(template.replace(ACCOUNT_PLACEHOLDER, account));
    }

    private static PathDefaults withTimeouts(PathDefaults d, Duration connect, Duration read) {
        return new PathDefaults(d.global(), d.refreshWindow(), connect, read, d.brokerTimeout(), d.brokerAssumedLifetime(),
            d.clock());
    }

    private static Optional<String> endpoint(ConfigNode node) {
        Optional<String> v = node.string(TOKEN_ENDPOINT);
        if (v.isPresent()) {
            try {
                new EndpointSettings(TokenFileBinding.uri(v.get()), EndpointSettings.DEFAULT_CONNECT_TIMEOUT,
                    EndpointSettings.DEFAULT_READ_TIMEOUT, Optional.empty(), Optional.empty());
            } catch (IllegalArgumentException e) {
                node.problem(TOKEN_ENDPOINT, e.getMessage());
                return Optional.empty();
            }
        }
        return v;
    }

    private static Optional<String> proxy(ConfigNode node) {
        Optional<String> v = node.string(PROXY);
        if (v.isPresent()) {
            try {
                EndpointSettings.parseProxy(v.get());
            } catch (IllegalArgumentException e) {
                node.problem(PROXY, e.getMessage());
                return Optional.empty();
            }
        }
        return v;
    }

    private static Optional<SSLSocketFactory> trust(ConfigNode node) {
        Optional<Path> bundle = node.string(CA_BUNDLE_FILE).map(Path::of);
        Optional<Path> dir = node.string(CA_CERTS_DIR).map(Path::of);
        Optional<Path> store = node.string(TRUST_STORE).map(Path::of);
        Optional<Secret> password = node.secret(TRUST_STORE_PASSWORD);
        String type = node.string(TRUST_STORE_TYPE, "PKCS12");
        try {
            return TrustAnchors.socketFactory(bundle, dir, store, password, type);
        } catch (IllegalArgumentException e) {
            node.problem(store.isPresent() ? TRUST_STORE : bundle.isPresent() ? CA_BUNDLE_FILE : CA_CERTS_DIR, e.getMessage());
            return Optional.empty();
        }
    }

    private static void checkAbsolute(ConfigNode node, String key, String path) {
        if (!path.startsWith("/")) {
            node.problem(key, "'" + path + "' must be an absolute path");
        }
    }
}
