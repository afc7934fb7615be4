package org.jamespack.auth.kopano;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

import org.jamespack.auth.Protocol;
import org.jamespack.foundation.Secret;

import net.jcip.annotations.Immutable;

/**
 * Everything a {@link KopanoVerifier} needs, for building one in code; {@link
 * KopanoVerifier#fromConfig} builds the same record from a {@code <kopano>} element. Start from
 * {@link #defaults()} and change what differs with the {@code withX} copies.
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

    public static final URI DEFAULT_URL = URI.create("http://localhost:236/kopano");
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);
    /** Kopano closes idle keep-alive connections after 5 s; give up on them a second earlier. */
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(4);
    public static final int DEFAULT_PLAIN_PORT = 236;
    public static final int DEFAULT_TLS_PORT = 237;

    /** Why {@code file://} is refused; the configuration error carries this text. */
    private static final Pattern USER_INFO = Pattern.compile("^([A-Za-z][A-Za-z0-9+.-]*://)[^/?#]*@");

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
        String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
        switch (scheme) {
            case "http":
            case "https":
                if (url.getRawUserInfo() != null) {
                    throw new IllegalArgumentException("'" + printable(url.toString())
                        + "': user information in the URL is not supported");
                }
                if (url.getHost() == null || url.getHost().isEmpty()) {
                    throw new IllegalArgumentException("'" + printable(url.toString()) + "' has no host");
                }
                break;
            case "file":
                if (!allowUnixSocket) {
                    throw new IllegalArgumentException(UNIX_SOCKET_REFUSAL);
                }
                if (url.getPath() == null || url.getPath().isEmpty()) {
                    throw new IllegalArgumentException("'" + printable(url.toString()) + "' names no socket path");
                }
                break;
            default:
                throw new IllegalArgumentException("'" + printable(url.toString()) + "' is not an http://, https:// or file:// URL");
        }
        requirePositive("connectTimeout", connectTimeout);
        requirePositive("responseTimeout", responseTimeout);
        requirePositive("idleTimeout", idleTimeout);
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

    /**
     * {@code url} with any user information masked: {@code http://user:password@host} is refused,
     * and the refusal must not print the password it refuses.
     */
    static String printable(String url) {
        return USER_INFO.matcher(url).replaceFirst("$1***@");
    }

    private static void requirePositive(String key, Duration d) {
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(key + " must be positive, not " + d);
        }
    }

    /** {@code http://localhost:236/kopano}, no gate, 5 s time-outs, host names checked. */
    public static KopanoSettings defaults() {
        return new KopanoSettings(DEFAULT_URL, ServiceGate.NONE, Map.of(), Set.of(), false, false, false, false,
            DEFAULT_TIMEOUT, DEFAULT_TIMEOUT, DEFAULT_IDLE_TIMEOUT, 8, Optional.empty(), Optional.empty(), "PKCS12", true);
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

    public KopanoSettings withUrl(URI newUrl) {
        return new KopanoSettings(newUrl, service, serviceByProtocol, ungatedProtocols, sessionless, quiet, debug, allowUnixSocket,
            connectTimeout, responseTimeout, idleTimeout, maxIdleConnections, trustStore, trustStorePassword,
            trustStoreType, verifyHostname);
    }

    public KopanoSettings withService(ServiceGate gate) {
        return new KopanoSettings(url, gate, serviceByProtocol, ungatedProtocols, sessionless, quiet, debug, allowUnixSocket,
            connectTimeout, responseTimeout, idleTimeout, maxIdleConnections, trustStore, trustStorePassword,
            trustStoreType, verifyHostname);
    }

    public KopanoSettings withService(Protocol protocol, ServiceGate gate) {
        Map<Protocol, ServiceGate> copy = new EnumMap<>(Protocol.class);
        copy.putAll(serviceByProtocol);
        copy.put(protocol, gate);
        return new KopanoSettings(url, service, copy, ungatedProtocols, sessionless, quiet, debug, allowUnixSocket,
            connectTimeout, responseTimeout, idleTimeout, maxIdleConnections, trustStore, trustStorePassword,
            trustStoreType, verifyHostname);
    }

    /** Lets {@code protocols} through on the password alone while other protocols have a gate. */
    public KopanoSettings withUngatedProtocols(Set<Protocol> protocols) {
        return new KopanoSettings(url, service, serviceByProtocol, protocols, sessionless, quiet, debug, allowUnixSocket,
            connectTimeout, responseTimeout, idleTimeout, maxIdleConnections, trustStore, trustStorePassword,
            trustStoreType, verifyHostname);
    }

    public KopanoSettings withSessionless(boolean on) {
        return new KopanoSettings(url, service, serviceByProtocol, ungatedProtocols, on, quiet, debug, allowUnixSocket,
            connectTimeout, responseTimeout, idleTimeout, maxIdleConnections, trustStore, trustStorePassword,
            trustStoreType, verifyHostname);
    }

    public KopanoSettings withQuiet(boolean on) {
        return new KopanoSettings(url, service, serviceByProtocol, ungatedProtocols, sessionless, on, debug, allowUnixSocket,
            connectTimeout, responseTimeout, idleTimeout, maxIdleConnections, trustStore, trustStorePassword,
            trustStoreType, verifyHostname);
    }

    public KopanoSettings withDebug(boolean on) {
        return new KopanoSettings(url, service, serviceByProtocol, ungatedProtocols, sessionless, quiet, on, allowUnixSocket,
            connectTimeout, responseTimeout, idleTimeout, maxIdleConnections, trustStore, trustStorePassword,
            trustStoreType, verifyHostname);
    }

    /** Points at a UNIX socket and allows it (ulFlags 0x1 stays on, so the server checks the password). */
    public KopanoSettings withUnixSocket(Path socket) {
        return new KopanoSettings(socket.toAbsolutePath().toUri(), service, serviceByProtocol, ungatedProtocols,
            sessionless, quiet, debug, true, connectTimeout, responseTimeout, idleTimeout, maxIdleConnections,
            trustStore, trustStorePassword, trustStoreType, verifyHostname);
    }

    public KopanoSettings withTimeouts(Duration connect, Duration response) {
        return new KopanoSettings(url, service, serviceByProtocol, ungatedProtocols, sessionless, quiet, debug, allowUnixSocket,
            connect, response, idleTimeout, maxIdleConnections, trustStore, trustStorePassword,
            trustStoreType, verifyHostname);
    }

    public KopanoSettings withIdleTimeout(Duration idle) {
        return new KopanoSettings(url, service, serviceByProtocol, ungatedProtocols, sessionless, quiet, debug, allowUnixSocket,
            connectTimeout, responseTimeout, idle, maxIdleConnections, trustStore, trustStorePassword,
            trustStoreType, verifyHostname);
    }

    public KopanoSettings withMaxIdleConnections(int max) {
        return new KopanoSettings(url, service, serviceByProtocol, ungatedProtocols, sessionless, quiet, debug, allowUnixSocket,
            connectTimeout, responseTimeout, idleTimeout, max, trustStore, trustStorePassword,
            trustStoreType, verifyHostname);
    }

    public KopanoSettings withTrustStore(Path store, Optional<Secret> password, String type) {
        return new KopanoSettings(url, service, serviceByProtocol, ungatedProtocols, sessionless, quiet, debug, allowUnixSocket,
            connectTimeout, responseTimeout, idleTimeout, maxIdleConnections, Optional.of(store), password,
            type, verifyHostname);
    }

    public KopanoSettings withVerifyHostname(boolean on) {
        return new KopanoSettings(url, service, serviceByProtocol, ungatedProtocols, sessionless, quiet, debug, allowUnixSocket,
            connectTimeout, responseTimeout, idleTimeout, maxIdleConnections, trustStore, trustStorePassword,
            trustStoreType, on);
    }
}
