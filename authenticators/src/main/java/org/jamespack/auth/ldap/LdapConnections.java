package org.jamespack.auth.ldap;

import java.io.File;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;

import javax.net.SocketFactory;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;

import org.jamespack.foundation.Secret;
import org.jspecify.annotations.Nullable;

import com.unboundid.ldap.sdk.BindRequest;
import com.unboundid.ldap.sdk.CompareRequest;
import com.unboundid.ldap.sdk.CompareResult;
import com.unboundid.ldap.sdk.FailoverServerSet;
import com.unboundid.ldap.sdk.GetEntryLDAPConnectionPoolHealthCheck;
import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.LDAPConnectionOptions;
import com.unboundid.ldap.sdk.LDAPConnectionPool;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.LDAPResult;
import com.unboundid.ldap.sdk.LDAPURL;
import com.unboundid.ldap.sdk.OperationType;
import com.unboundid.ldap.sdk.PostConnectProcessor;
import com.unboundid.ldap.sdk.ResultCode;
import com.unboundid.ldap.sdk.RootDSE;
import com.unboundid.ldap.sdk.SimpleBindRequest;
import com.unboundid.ldap.sdk.StartTLSPostConnectProcessor;
import com.unboundid.ldap.sdk.experimental.DraftBeheraLDAPPasswordPolicy10RequestControl;
import com.unboundid.util.ssl.HostNameSSLSocketVerifier;
import com.unboundid.util.ssl.JVMDefaultTrustManager;
import com.unboundid.util.ssl.SSLSocketVerifier;
import com.unboundid.util.ssl.SSLUtil;
import com.unboundid.util.ssl.TrustStoreTrustManager;

import net.jcip.annotations.ThreadSafe;

/**
 * The two connection pools of an {@link LdapVerifier}, over the configured URLs with failover,
 * TLS and time-outs, and the user bind and Compare that retry by hand.
 *
 * <p>Thread-safe: UnboundID's pools are. Two pools, so that a search connection is never left
 * bound as a user: the <em>search pool</em> is bound as the service account (or anonymous) and
 * does searches, reads and Compare operations; the <em>bind pool</em> only ever carries user
 * binds, whatever identity its connections were last bound as. That costs one bind per login,
 * where bind-and-revert costs two.
 */
@ThreadSafe
final class LdapConnections implements AutoCloseable {

    private final LDAPConnectionPool searchPool;
    private final LDAPConnectionPool bindPool;
    /** Whether the directory may honour the ppolicy request control; null until its root DSE was read. */
    private volatile @Nullable Boolean policyControlMayMatter;

    private LdapConnections(LDAPConnectionPool searchPool, LDAPConnectionPool bindPool) {
        this.searchPool = searchPool;
        this.bindPool = bindPool;
    }

    /**
     * Pools for {@code settings}. A directory that is down now is not an error: the pools connect
     * when it is back.
     *
     * @throws IllegalArgumentException when the trust store or the TLS set-up fails
     */
    static LdapConnections open(LdapSettings settings) {
        LDAPConnectionOptions options = new LDAPConnectionOptions();
        options.setConnectTimeoutMillis((int) Math.min(Integer.MAX_VALUE, millis(settings.connectTimeout())));
        options.setResponseTimeoutMillis(millis(settings.responseTimeout()));
        options.setFollowReferrals(false);
        options.setAbandonOnTimeout(true);
        // the calling thread reads its own response: no reader thread per connection and no
        // hand-off between threads; safe because a pooled connection never runs two operations at once
        options.setUseSynchronousMode(true);
        options.setSSLSocketVerifier(new HostNameCheck());

        SSLUtil ssl = new SSLUtil(trustManager(settings));
        String[] hosts = new String[settings.urls().size()];
        int[] ports = new int[hosts.length];
        boolean ldaps = false;
        for (int i = 0; i < hosts.length; i++) {
            try {
                LDAPURL url = new LDAPURL(settings.urls().get(i));
                hosts[i] = url.getHost();
                ports[i] = url.getPort();
                ldaps = url.getScheme().equalsIgnoreCase("ldaps");
            } catch (LDAPException e) {
                throw new IllegalArgumentException("url: " + e.getMessage(), e);
            }
        }
        SocketFactory socketFactory;
        PostConnectProcessor startTls = null;
        try {
            socketFactory = ldaps ? ssl.createSSLSocketFactory() : SocketFactory.getDefault();
            if (settings.startTls()) {
                startTls = new StartTLSPostConnectProcessor(ssl.createSSLSocketFactory());
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("TLS set-up failed: " + e.getMessage(), e);
        }
        FailoverServerSet servers = new FailoverServerSet(hosts, ports, socketFactory, options);
        // back to the first server after this long, so that a failover does not last for ever
        servers.setMaxFailoverConnectionAgeMillis(millis(settings.maxFailoverConnectionAge()));

        BindRequest service = settings.bindDn().isPresent()
            ? new SimpleBindRequest(settings.bindDn().get(), settings.bindPassword().orElseThrow().reveal())
            : null;
        // auto-reconnect stays off (the default): it would resend an operation after a reconnect
        LDAPConnectionPool search = pool(servers, service, settings, startTls, "jamespack-ldap-search",
            EnumSet.of(OperationType.SEARCH));
        LDAPConnectionPool bind = pool(servers, null, settings, startTls, "jamespack-ldap-bind",
            EnumSet.noneOf(OperationType.class));
        return new LdapConnections(search, bind);
    }

    /**
     * Whether a user bind should carry the password-policy request control: false only when the
     * directory's root DSE lists its supported controls and this one is not among them (Active
     * Directory, directories without a ppolicy overlay, UnboundID's in-memory server), where the
     * control is ignored and only costs both ends its encoding. An unreadable root DSE, or one
     * that lists no controls, counts as "may honour it": the control is sent, since leaving it
     * out where it matters would let a must-change account in and show a locked one as a wrong
     * password. Read once, at the first user bind after the directory answered.
     */
    boolean policyControlMayMatter() {
        Boolean known = policyControlMayMatter;
        if (known != null) {
            return known;
        }
        try {
            RootDSE root = searchPool.getRootDSE();
            boolean matters = root == null || !root.hasAttribute("supportedControl")
                || root.supportsControl(DraftBeheraLDAPPasswordPolicy10RequestControl.PASSWORD_POLICY_REQUEST_OID);
            policyControlMayMatter = matters;
            return matters;
        } catch (LDAPException e) {
            // the directory did not answer: send the control now and look again next time
            return true;
        }
    }

    /** The pool bound as the service account: searches, reads, Compare operations. */
    LDAPConnectionPool search() {
        return searchPool;
    }

    /**
     * A user bind on the bind pool, retried once on a new connection when the pooled one broke
     * (the directory restarted); the connection is released whatever identity it now has.
     */
    LDAPResult bind(SimpleBindRequest request) throws LDAPException {
        return onceMoreIfStale(bindPool, connection -> connection.bind(request));
    }

    /**
     * A Compare on the search pool, retried once on a new connection when the pooled one broke
     * (the directory restarted), never after a time-out: the directory may be computing a costly
     * stored hash, as it does for a bind.
     */
    CompareResult compare(CompareRequest request) throws LDAPException {
        return onceMoreIfStale(searchPool, connection -> connection.compare(request));
    }

    /** One operation on a pooled connection. */
    @FunctionalInterface
    private interface Operation<R> {
        R on(LDAPConnection connection) throws LDAPException;
    }

    /**
     * Runs {@code operation} on a connection of {@code pool}; when the connection turned out
     * unusable (not after a time-out), once more on a new connection. The pools' own retry is off
     * for binds and Compares because it counts a time-out as unusable.
     */
    private static <R> R onceMoreIfStale(LDAPConnectionPool pool, Operation<R> operation) throws LDAPException {
        LDAPConnection connection = pool.getConnection();
        try {
            R result = operation.on(connection);
            pool.releaseConnection(connection);
            return result;
        } catch (LDAPException e) {
            if (e.getResultCode().isConnectionUsable()) {
                pool.releaseConnection(connection);
                throw e;
            }
            if (e.getResultCode() == ResultCode.TIMEOUT) {
                // a time-out is not a stale connection: the directory is working on this operation (a
                // costly stored hash, say) and a second try would only double the wait and its CPU
                pool.releaseDefunctConnection(connection);
                throw e;
            }
            // a pooled connection may have gone stale (directory restarted): one try on a new
            // connection, not on the next pooled one, which is likely stale too
            LDAPConnection fresh = pool.replaceDefunctConnection(connection);
            try {
                R result = operation.on(fresh);
                pool.releaseConnection(fresh);
                return result;
            } catch (LDAPException again) {
                release(pool, fresh, again);
                throw again;
            }
        }
    }

    private static void release(LDAPConnectionPool pool, LDAPConnection connection, LDAPException failure) {
        if (failure.getResultCode().isConnectionUsable()) {
            pool.releaseConnection(connection);
        } else {
            pool.releaseDefunctConnection(connection);
        }
    }

    @Override
    public void close() {
        searchPool.close();
        bindPool.close();
    }

    private static LDAPConnectionPool pool(FailoverServerSet servers, BindRequest bind, LdapSettings settings,
                                           PostConnectProcessor startTls, String name, Set<OperationType> retried) {
        try {
            // All connections up front, in parallel: a pool that starts with one and waits before
            // it grows stays at one connection under load.
            // throwOnConnectFailure=false: a directory that is down at start-up is not a configuration error.
            LDAPConnectionPool pool = new LDAPConnectionPool(servers, bind, settings.poolSize(), settings.poolSize(),
                settings.poolSize(), startTls, false,
                new GetEntryLDAPConnectionPoolHealthCheck("", millis(settings.responseTimeout()),
                    false, false, false, false, true, true));
            pool.setConnectionPoolName(name);
            pool.setCreateIfNecessary(true);
            pool.setMaxWaitTimeMillis(millis(settings.connectTimeout()));
            pool.setHealthCheckIntervalMillis(millis(settings.healthCheckInterval()));
            pool.setMaxConnectionAgeMillis(0L);
            // UnboundID retries an operation whose connection turned unusable, and it counts a
            // time-out (85) as unusable: a Compare or bind the directory is still computing (a
            // costly stored hash) would run twice. Only searches are retried by the pool; user
            // binds and Compares retry by hand (bind, compare), never after a time-out.
            pool.setRetryFailedOperationsDueToInvalidConnections(retried);
            return pool;
        } catch (LDAPException e) {
            throw new IllegalStateException("ldap: cannot create connection pool: " + e.getMessage(), e);
        }
    }

    private static TrustManager trustManager(LdapSettings settings) {
        if (settings.trustStore().isEmpty()) {
            return JVMDefaultTrustManager.getInstance();
        }
        File file = settings.trustStore().get().toFile();
        char[] pin = settings.trustStorePassword().map(Secret::chars).orElse(null);
        return new TrustStoreTrustManager(file, pin, settings.trustStoreType(), true);
    }

    private static long millis(Duration d) {
        return Math.max(1, d.toMillis());
    }

    /**
     * UnboundID's host-name check, with its failure typed as an {@link SSLPeerUnverifiedException}
     * so that it is classified as a TLS failure by type (UnboundID reports it as a bare 91).
     */
    @ThreadSafe
    private static final class HostNameCheck extends SSLSocketVerifier {
        private final HostNameSSLSocketVerifier delegate = new HostNameSSLSocketVerifier(false);

        @Override
        public void verifySSLSocket(String host, int port, SSLSocket socket) throws LDAPException {
            try {
                delegate.verifySSLSocket(host, port, socket);
            } catch (LDAPException e) {
                SSLPeerUnverifiedException typed = new SSLPeerUnverifiedException(e.getMessage());
                typed.initCause(e);
                throw new LDAPException(e.getResultCode(), e.getMessage(), typed);
            }
        }
    }
}
