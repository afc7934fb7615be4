package org.jamespack.auth.testing;

import java.net.InetAddress;
import java.util.concurrent.atomic.AtomicLong;

import org.jamespack.auth.CredentialVerifier;
import org.jamespack.auth.InputGuard;
import org.jamespack.auth.LoginAttempt;
import org.jamespack.auth.Verdict;

import com.unboundid.ldap.listener.InMemoryDirectoryServer;
import com.unboundid.ldap.listener.InMemoryDirectoryServerConfig;
import com.unboundid.ldap.listener.InMemoryListenerConfig;
import com.unboundid.ldap.listener.interceptor.InMemoryInterceptedSimpleBindRequest;
import com.unboundid.ldap.listener.interceptor.InMemoryOperationInterceptor;
import com.unboundid.ldap.sdk.DN;
import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.LDAPConnectionOptions;
import com.unboundid.ldap.sdk.LDAPConnectionPool;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.Modification;
import com.unboundid.ldap.sdk.ModificationType;
import com.unboundid.ldap.sdk.RDN;
import com.unboundid.ldap.sdk.ResultCode;
import com.unboundid.ldap.sdk.SimpleBindRequest;

/**
 * A real LDAP server for tests of what sits in front of a backend (cache, throttle, benchmark):
 * UnboundID's in-memory directory on 127.0.0.1 and a free port, counting at the server side
 * every simple bind made as a user of {@code ou=people}, so a test can prove that a login did
 * or did not reach the directory.
 *
 * <p>{@link #verifier()} is a deliberately small rebind verifier (a bind-and-revert on a pool),
 * not the pack's {@code LdapVerifier}: invalidCredentials is REJECTED, any other failure
 * UNAVAILABLE. Thread-safe.
 */
public final class BindCountingDirectory implements AutoCloseable {

    public static final String BASE = "dc=example,dc=org";
    public static final String PEOPLE = "ou=people," + BASE;

    private final InMemoryDirectoryServer server;
    private final AtomicLong userBinds = new AtomicLong();

    private BindCountingDirectory(InMemoryDirectoryServer server) {
        this.server = server;
    }

    /** Starts a directory with the base entries and no users. */
    public static BindCountingDirectory start() throws Exception {
        InMemoryDirectoryServerConfig config = new InMemoryDirectoryServerConfig(BASE);
        config.setSchema(null);
        config.setListenerConfigs(InMemoryListenerConfig.createLDAPConfig("ldap", InetAddress.getLoopbackAddress(), 0, null));
        AtomicLong[] counter = new AtomicLong[1];
        config.addInMemoryOperationInterceptor(new InMemoryOperationInterceptor() {
            @Override
            public void processSimpleBindRequest(InMemoryInterceptedSimpleBindRequest request) throws LDAPException {
                String dn = request.getRequest().getBindDN();
                if (dn.toLowerCase(java.util.Locale.ROOT).endsWith(PEOPLE)) {
                    counter[0].incrementAndGet();
                }
            }
        });
        InMemoryDirectoryServer server = new InMemoryDirectoryServer(config);
        BindCountingDirectory directory = new BindCountingDirectory(server);
        counter[0] = directory.userBinds;
        server.add("dn: " + BASE, "objectClass: top", "objectClass: domain", "dc: example");
        server.add("dn: " + PEOPLE, "objectClass: top", "objectClass: organizationalUnit", "ou: people");
        server.startListening();
        return directory;
    }

    public static String dnOf(String uid) {
        try {
            return new DN(new RDN("uid", uid), new DN(PEOPLE)).toString();
        } catch (LDAPException e) {
            throw new IllegalStateException(e);
        }
    }

    public BindCountingDirectory addUser(String uid, String password) throws Exception {
        server.add("dn: " + dnOf(uid), "objectClass: inetOrgPerson", "uid: " + uid, "cn: " + uid, "sn: " + uid,
            "userPassword: " + password);
        return this;
    }

    public void setPassword(String uid, String password) throws LDAPException {
        server.modify(dnOf(uid), new Modification(ModificationType.REPLACE, "userPassword", password));
    }

    /** Simple binds as a user of {@code ou=people} that reached the server so far. */
    public long userBinds() {
        return userBinds.get();
    }

    public int port() {
        return server.getListenPort();
    }

    /** Stops the listener and drops every connection: the directory is down. */
    public void stop() {
        server.shutDown(true);
    }

    @Override
    public void close() {
        server.shutDown(true);
    }

    /** A rebind verifier over a small connection pool to this directory. */
    public CredentialVerifier verifier() throws LDAPException {
        LDAPConnectionOptions options = new LDAPConnectionOptions();
        options.setConnectTimeoutMillis(1000);
        options.setResponseTimeoutMillis(2000);
        LDAPConnection first = new LDAPConnection(options, "127.0.0.1", port());
        LDAPConnectionPool pool = new LDAPConnectionPool(first, 4);
        pool.setRetryFailedOperationsDueToInvalidConnections(true);
        return new SimpleBindVerifier(pool);
    }

    private static final class SimpleBindVerifier implements CredentialVerifier {
        private final LDAPConnectionPool pool;

        SimpleBindVerifier(LDAPConnectionPool pool) {
            this.pool = pool;
        }

        @Override
        public Verdict verify(LoginAttempt attempt) {
            java.util.Optional<Verdict> refused = InputGuard.precheck(attempt);
            if (refused.isPresent()) {
                return refused.get();
            }
            byte[] password = attempt.password().utf8();
            try {
                pool.bindAndRevertAuthentication(new SimpleBindRequest(dnOf(attempt.login()), password));
                return Verdict.accepted();
            } catch (LDAPException e) {
                if (e.getResultCode() == ResultCode.INVALID_CREDENTIALS) {
                    return Verdict.rejected();
                }
                return Verdict.unavailable(Verdict.Reason.CONNECT_FAILED, "in-memory ldap: " + e.getResultCode(), e);
            } finally {
                java.util.Arrays.fill(password, (byte) 0);
            }
        }

        @Override
        public String name() {
            return "in-memory-ldap";
        }

        @Override
        public void close() {
            pool.close();
        }
    }
}
