package org.jamespack.auth.kopano;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

import org.jamespack.auth.Protocol;
import org.jamespack.foundation.Secret;
import org.jamespack.foundation.config.ConfigNode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import net.jcip.annotations.Immutable;
import net.jcip.annotations.NotThreadSafe;

/**
 * Everything a {@link KopanoVerifier} needs: from a {@code <kopano>} element with {@link
 * #from(ConfigNode)}, in code with {@link #builder()} (or {@link #toBuilder()} for a variant).
 * The keys are listed in {@link #KEYS} and in the {@code package-info} table.
 *
 * <p>Immutable and thread-safe. The constructor validates: a {@code file://} URL is refused
 * unless {@code allowUnixSocket} is set (see {@link #UNIX_SOCKET_REFUSAL}), time-outs must be
 * positive, and {@code sessionless} needs an open gate on every protocol (getUser, which reads
 * the features, needs a session). The trust-store password is a {@link Secret}, so printing the
 * record prints no secret.
 *
 * @param url                the server: {@code http://host:236/any/path}, {@code https://host:237/…}
 *                           or {@code file:///var/run/kopano/server.sock}
 * @param service            the default feature gate (pam_mapi {@code service=})
 * @param serviceByProtocol  gates for single protocols, replacing the default for them; never an
 *                           empty gate (letting a protocol through is {@code ungatedProtocols}' job)
 * @param ungatedProtocols   protocols let through on the password alone although other protocols
 *                           have a gate; once any gate is set, a protocol with no gate of its own, no
 *                           default gate and not listed here is DISABLED (see {@link #gateFor})
 * @param sessionless        log on with ulFlags 3 (no session, Kopano 8.5+); no getUser, so no
 *                           object-class check or gate; still logs off when a session id comes back
 * @param quiet              logon failures are not logged (pam_mapi {@code quiet})
 * @param debug              the SOAP exchange is logged at INFO, password and session id masked
 * @param allowUnixSocket    accept a {@code file://} URL (ulFlags 0x1 stays on)
 * @param connectTimeout     time allowed to open a connection (and the TLS handshake)
 * @param responseTimeout    time allowed for one call, from sending to the last byte received
 * @param idleTimeout        how long an idle keep-alive connection is kept; below the server's 5 s
 * @param maxIdleConnections idle connections kept for reuse
 * @param trustStore         certificates trusted for {@code https://}; the JDK's when empty
 * @param trustStorePassword the trust store's password, if it has one
 * @param trustStoreType     {@code PKCS12} or {@code JKS}
 * @param verifyHostname     check that the certificate names the URL's host (on by default)
 */
@Immutable
public record KopanoSettings(
    URI url,
    ServiceGate service,
    Map<Protocol, ServiceGate> serviceByProtocol,
    Set<Protocol> ungatedProtocols,
    boolean sessionless,
    boolean quiet,
    boolean debug,
    boolean allowUnixSocket,
    Duration connectTimeout,
    Duration responseTimeout,
    Duration idleTimeout,
    int maxIdleConnections,
    Optional<Path> trustStore,
    Optional<Secret> trustStorePassword,
    String trustStoreType,
    boolean verifyHostname) {

    private static final Logger LOG = LoggerFactory.getLogger(KopanoVerifier.class);

    public static final String KEY_URL = "url";
    public static final String KEY_SERVICE = "service";
    public static final String KEY_SERVICE_PROTOCOL = "protocol";
    public static final String KEY_UNGATED_PROTOCOLS = "ungatedProtocols";
    public static final String KEY_SESSIONLESS = "sessionless";
    public static final String KEY_QUIET = "quiet";
    public static final String KEY_DEBUG = "debug";
    public static final String KEY_ALLOW_UNIX_SOCKET = "allowUnixSocket";
    public static final String KEY_CONNECT_TIMEOUT = "connectTimeout";
    public static final String KEY_RESPONSE_TIMEOUT = "responseTimeout";
    public static final String KEY_IDLE_TIMEOUT = "idleTimeout";
    public static final String KEY_MAX_IDLE_CONNECTIONS = "maxIdleConnections";
    public static final String KEY_TRUST_STORE = "trustStore";
    public static final String KEY_TRUST_STORE_PASSWORD = "trustStorePassword";
    public static final String KEY_TRUST_STORE_TYPE = "trustStoreType";
    public static final String KEY_VERIFY_HOSTNAME = "verifyHostname";

    /** Every setting {@link #from(ConfigNode)} reads, as documented in the package's settings table. */
    public static final List<String> KEYS = List.of(KEY_URL, KEY_SERVICE, KEY_UNGATED_PROTOCOLS, KEY_SESSIONLESS, KEY_QUIET,
        KEY_DEBUG, KEY_ALLOW_UNIX_SOCKET, KEY_CONNECT_TIMEOUT, KEY_RESPONSE_TIMEOUT, KEY_IDLE_TIMEOUT,
        KEY_MAX_IDLE_CONNECTIONS, KEY_TRUST_STORE, KEY_TRUST_STORE_PASSWORD, KEY_TRUST_STORE_TYPE,
        KEY_VERIFY_HOSTNAME);

    public static final URI DEFAULT_URL = URI.create("http://localhost:236/kopano");
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);
    /** Kopano closes idle keep-alive connections after 5 s; give up on them a second earlier. */
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(4);
    public static final int DEFAULT_MAX_IDLE_CONNECTIONS = 8;
    public static final int DEFAULT_PLAIN_PORT = 236;
    public static final int DEFAULT_TLS_PORT = 237;
    /** The shortest time-out: any positive one. */
    private static final Duration POSITIVE = Duration.ofMillis(1);

    private static final Pattern USER_INFO = Pattern.compile("^([A-Za-z][A-Za-z0-9+.-]*://)[^/?#]*@");

    /** Why {@code file://} is refused; the configuration error carries this text. */
    public static final String UNIX_SOCKET_REFUSAL =
        "a file:// (UNIX socket) URL is refused: Kopano/Zarafa skip the password check for callers whose uid is the "
            + "server's own, is listed in local_admin_users (root and kopano by default) or matches the login name "
            + "(allow_local_users), so a James running as such a user would accept any password and make SMTP AUTH an "
            + "open relay. The verifier always sends the no-UID-auth logon flag (0x1), which makes the server check the "
            + "password anyway; set allowUnixSocket to true to use the socket relying on that flag, or use "
            + "http://localhost:236/kopano";

    public KopanoSettings {
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(service, "service");
        serviceByProtocol = Map.copyOf(serviceByProtocol);
        ungatedProtocols = ungatedProtocols.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(ungatedProtocols));
        for (Map.Entry<Protocol, ServiceGate> e : serviceByProtocol.entrySet()) {
            if (e.getValue().isOpen()) {
                throw new IllegalArgumentException("an empty service gate for " + e.getKey().configName()
                    + ": list the protocol in ungatedProtocols to let it through on the password alone");
            }
            if (ungatedProtocols.contains(e.getKey())) {
                throw new IllegalArgumentException(e.getKey().configName() + " has a service gate and is listed in "
                    + "ungatedProtocols: choose one");
            }
        }
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        Objects.requireNonNull(responseTimeout, "responseTimeout");
        Objects.requireNonNull(idleTimeout, "idleTimeout");
        Objects.requireNonNull(trustStore, "trustStore");
        Objects.requireNonNull(trustStorePassword, "trustStorePassword");
        Objects.requireNonNull(trustStoreType, "trustStoreType");
        Optional<String> urlProblem = urlProblem(url, allowUnixSocket);
        if (urlProblem.isPresent()) {
            throw new IllegalArgumentException(urlProblem.get());
        }
        for (Map.Entry<String, Duration> d : Map.of(KEY_CONNECT_TIMEOUT, connectTimeout, KEY_RESPONSE_TIMEOUT,
            responseTimeout, KEY_IDLE_TIMEOUT, idleTimeout).entrySet()) {
            if (d.getValue().isNegative() || d.getValue().isZero()) {
                throw new IllegalArgumentException(d.getKey() + " must be positive, not " + d.getValue());
            }
        }
        if (maxIdleConnections < 0) {
            throw new IllegalArgumentException("maxIdleConnections must not be negative");
        }
        boolean gated = !service.isOpen() || !serviceByProtocol.isEmpty();
        if (sessionless && gated) {
            throw new IllegalArgumentException("sessionless cannot be combined with a service gate: reading a user's "
                + "features needs a session");
        }
        if (!gated && !ungatedProtocols.isEmpty()) {
            throw new IllegalArgumentException("ungatedProtocols has no effect without a service gate: every protocol "
                + "is checked on the password alone then");
        }
    }

    /** What is wrong with {@code url} as the server's address, the URL printed without user information. */
    private static Optional<String> urlProblem(URI url, boolean allowUnixSocket) {
        String shown = "'" + printable(url.toString()) + "'";
        String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
        switch (scheme) {
            case "http":
            case "https":
                if (url.getRawUserInfo() != null) {
                    return Optional.of(shown + ": user information in the URL is not supported");
                }
                if (url.getHost() == null || url.getHost().isEmpty()) {
                    return Optional.of(shown + " has no host");
                }
                return Optional.empty();
            case "file":
                if (!allowUnixSocket) {
                    return Optional.of(UNIX_SOCKET_REFUSAL);
                }
                if (url.getPath() == null || url.getPath().isEmpty()) {
                    return Optional.of(shown + " names no socket path");
                }
                return Optional.empty();
            default:
                return Optional.of(shown + " is not an http://, https:// or file:// URL");
        }
    }

    /**
     * {@code url} with any user information masked: {@code http://user:password@host} is refused,
     * and the refusal must not print the password it refuses.
     */
    static String printable(String url) {
        return USER_INFO.matcher(url).replaceFirst("$1***@");
    }

    /** {@code http://localhost:236/kopano}, no gate, 5 s time-outs, host names checked. */
    public static KopanoSettings defaults() {
        return builder().build();
    }

    /**
     * The settings of a {@code <kopano>} element (see the package documentation for its shape and
     * keys). Problems are recorded on {@code node.problems()} with file, line and key, all of them,
     * rather than thrown; each bad value is replaced by its default, so that the settings returned
     * are whole, but they are not to be used when a problem was recorded. The attributes {@code
     * control} and {@code name} belong to the chain loader and are not read here.
     */
    public static KopanoSettings from(ConfigNode node) {
        Builder b = builder();
        boolean allowUnix = node.bool(KEY_ALLOW_UNIX_SOCKET, false);
        b.allowUnixSocket(allowUnix);
        URI url = url(node, allowUnix);
        b.url(url);
        GateConfig gates = GateConfig.from(node);
        b.service = gates.service();
        b.serviceByProtocol.putAll(gates.byProtocol());
        b.ungatedProtocols = gates.ungated();
        boolean sessionless = node.bool(KEY_SESSIONLESS, false);
        b.quiet(node.bool(KEY_QUIET, false));
        b.debug(node.bool(KEY_DEBUG, false));
        b.connectTimeout(node.duration(KEY_CONNECT_TIMEOUT, DEFAULT_TIMEOUT, POSITIVE));
        b.responseTimeout(node.duration(KEY_RESPONSE_TIMEOUT, DEFAULT_TIMEOUT, POSITIVE));
        b.idleTimeout(node.duration(KEY_IDLE_TIMEOUT, DEFAULT_IDLE_TIMEOUT, POSITIVE));
        b.maxIdleConnections(node.integer(KEY_MAX_IDLE_CONNECTIONS, DEFAULT_MAX_IDLE_CONNECTIONS, 0, 1024));
        Optional<Path> trustStore = node.string(KEY_TRUST_STORE).map(Path::of);
        b.trustStore = trustStore;
        b.trustStorePassword = node.secret(KEY_TRUST_STORE_PASSWORD);
        b.trustStoreType = node.choice(KEY_TRUST_STORE_TYPE, b.trustStoreType, Map.of("pkcs12", "PKCS12", "jks", "JKS"));
        boolean verifyHostname = node.bool(KEY_VERIFY_HOSTNAME, true);
        if (!verifyHostname) {
            LOG.warn("{}: {} is off: any certificate the trust store accepts is taken for the Kopano server",
                node.location(), node.keyPath(KEY_VERIFY_HOSTNAME));
        }
        b.verifyHostname(verifyHostname);
        if (sessionless && gates.anyGate()) {
            node.problem(KEY_SESSIONLESS, "cannot be combined with a service gate: reading a user's features needs a session");
            sessionless = false;
        }
        b.sessionless(sessionless);
        if (trustStore.isPresent() && !url.getScheme().equalsIgnoreCase("https")) {
            node.problem(KEY_TRUST_STORE, "is only used with an https:// URL");
        }
        return b.build();
    }

    /** The {@code url} key; a bad one is recorded and the default used. */
    private static URI url(ConfigNode node, boolean allowUnix) {
        Optional<ConfigNode.Located> raw = node.raw(KEY_URL);
        if (raw.isEmpty() || raw.get().value().isEmpty()) {
            return DEFAULT_URL;
        }
        String where = raw.get().location();
        URI url;
        try {
            url = new URI(raw.get().value());
        } catch (URISyntaxException e) {
            node.problems().add(where, node.keyPath(KEY_URL), "'" + printable(raw.get().value())
                + "' is not a URL: " + e.getReason());
            return DEFAULT_URL;
        }
        // printed without user information: a password there must not reach the error message
        String shown = "'" + printable(url.toString()) + "'";
        String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
        String problem = null;
        if (!List.of("http", "https", "file").contains(scheme)) {
            problem = shown + " is not an http://, https:// or file:// URL";
        } else if (scheme.equals("file") && !allowUnix) {
            problem = shown + ": " + UNIX_SOCKET_REFUSAL;
        } else if (url.getRawUserInfo() != null) {
            problem = shown + ": user information in the URL is not supported (the pack logs on as each user, "
                + "with no account of its own)";
        } else {
            problem = urlProblem(url, allowUnix).orElse(null);
        }
        if (problem != null) {
            node.problems().add(where, node.keyPath(KEY_URL), problem);
            return DEFAULT_URL;
        }
        return url;
    }

    /**
     * The gate for a login by {@code protocol}, or empty when that protocol may not log in at all:
     * <ol>
     * <li>listed in {@code ungatedProtocols}: no gate, the password alone decides;</li>
     * <li>a gate of its own in {@code serviceByProtocol}: that gate;</li>
     * <li>a default gate ({@code service}): the default;</li>
     * <li>no gate anywhere in the settings: no gate (pam_mapi without {@code service=});</li>
     * <li>otherwise empty: gates are in use, and this protocol (JMAP, ManageSieve, WebAdmin, a
     *     caller the pack cannot name) was given none. Letting it through would widen what the
     *     operator wrote, so the login is DISABLED after the password check.</li>
     * </ol>
     */
    public Optional<ServiceGate> gateFor(Protocol protocol) {
        if (ungatedProtocols.contains(protocol)) {
            return Optional.of(ServiceGate.NONE);
        }
        ServiceGate own = serviceByProtocol.get(protocol);
        if (own != null) {
            return Optional.of(own);
        }
        if (!service.isOpen() || !anyGate()) {
            return Optional.of(service);
        }
        return Optional.empty();
    }

    /** Whether any protocol has a feature gate. */
    public boolean anyGate() {
        return !service.isOpen() || serviceByProtocol.values().stream().anyMatch(g -> !g.isOpen());
    }

    /** A builder with the defaults of {@link #defaults()}. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding these settings, to build a variant of them. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.url = url;
        b.service = service;
        b.serviceByProtocol.putAll(serviceByProtocol);
        b.ungatedProtocols = ungatedProtocols;
        b.sessionless = sessionless;
        b.quiet = quiet;
        b.debug = debug;
        b.allowUnixSocket = allowUnixSocket;
        b.connectTimeout = connectTimeout;
        b.responseTimeout = responseTimeout;
        b.idleTimeout = idleTimeout;
        b.maxIdleConnections = maxIdleConnections;
        b.trustStore = trustStore;
        b.trustStorePassword = trustStorePassword;
        b.trustStoreType = trustStoreType;
        b.verifyHostname = verifyHostname;
        return b;
    }

    /**
     * Builds {@link KopanoSettings}, starting from the defaults; {@link #build()} validates.
     *
     * <p>Not thread-safe: one builder per thread.
     */
    @NotThreadSafe
    public static final class Builder {
        private URI url = DEFAULT_URL;
        private ServiceGate service = ServiceGate.NONE;
        private final Map<Protocol, ServiceGate> serviceByProtocol = new EnumMap<>(Protocol.class);
        private Set<Protocol> ungatedProtocols = Set.of();
        private boolean sessionless;
        private boolean quiet;
        private boolean debug;
        private boolean allowUnixSocket;
        private Duration connectTimeout = DEFAULT_TIMEOUT;
        private Duration responseTimeout = DEFAULT_TIMEOUT;
        private Duration idleTimeout = DEFAULT_IDLE_TIMEOUT;
        private int maxIdleConnections = DEFAULT_MAX_IDLE_CONNECTIONS;
        private Optional<Path> trustStore = Optional.empty();
        private Optional<Secret> trustStorePassword = Optional.empty();
        private String trustStoreType = "PKCS12";
        private boolean verifyHostname = true;

        private Builder() {
        }

        public Builder url(URI value) {
            url = value;
            return this;
        }

        /** The default gate, for every protocol without a gate of its own. */
        public Builder service(ServiceGate gate) {
            service = gate;
            return this;
        }

        /** The gate of one protocol, replacing the default for it. */
        public Builder service(Protocol protocol, ServiceGate gate) {
            serviceByProtocol.put(protocol, gate);
            return this;
        }

        /** Lets {@code protocols} through on the password alone while other protocols have a gate. */
        public Builder ungatedProtocols(Set<Protocol> protocols) {
            ungatedProtocols = protocols;
            return this;
        }

        public Builder sessionless(boolean on) {
            sessionless = on;
            return this;
        }

        public Builder quiet(boolean on) {
            quiet = on;
            return this;
        }

        public Builder debug(boolean on) {
            debug = on;
            return this;
        }

        public Builder allowUnixSocket(boolean on) {
            allowUnixSocket = on;
            return this;
        }

        /** Points at a UNIX socket and allows it (ulFlags 0x1 stays on, so the server checks the password). */
        public Builder unixSocket(Path socket) {
            url = socket.toAbsolutePath().toUri();
            allowUnixSocket = true;
            return this;
        }

        public Builder connectTimeout(Duration value) {
            connectTimeout = value;
            return this;
        }

        public Builder responseTimeout(Duration value) {
            responseTimeout = value;
            return this;
        }

        public Builder idleTimeout(Duration value) {
            idleTimeout = value;
            return this;
        }

        public Builder maxIdleConnections(int max) {
            maxIdleConnections = max;
            return this;
        }

        public Builder trustStore(Path store, Optional<Secret> password, String type) {
            trustStore = Optional.of(store);
            trustStorePassword = password;
            trustStoreType = type;
            return this;
        }

        public Builder verifyHostname(boolean on) {
            verifyHostname = on;
            return this;
        }

        /** The settings; throws {@link IllegalArgumentException} when they do not hold together. */
        public KopanoSettings build() {
            return new KopanoSettings(url, service, serviceByProtocol, ungatedProtocols, sessionless, quiet, debug,
                allowUnixSocket, connectTimeout, responseTimeout, idleTimeout, maxIdleConnections, trustStore,
                trustStorePassword, trustStoreType, verifyHostname);
        }
    }
}
