package org.jamespack.it.bringup;

import java.util.List;
import java.util.Optional;

import org.jamespack.auth.BackendUnavailableException;
import org.jamespack.auth.CredentialVerifier;
import org.jamespack.auth.InputGuard;
import org.jamespack.auth.LoginAttempt;
import org.jamespack.auth.UserDirectory;
import org.jamespack.auth.Verdict;
import org.jamespack.auth.config.ConfigNode;

import com.unboundid.ldap.sdk.Filter;
import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.ResultCode;
import com.unboundid.ldap.sdk.SearchResult;
import com.unboundid.ldap.sdk.SearchScope;

import net.jcip.annotations.ThreadSafe;

/**
 * Temporary, for bringing up the James harness before the pack's LDAP verifier lands: finds the
 * entry by {@code mail}, then simple-binds as it. One connection per call, no pool, no TLS.
 *
 * <p>Thread-safe: no shared state.
 */
@ThreadSafe
public final class SimpleBindVerifier implements CredentialVerifier, UserDirectory {

    private final String host;
    private final int port;
    private final String base;

    private SimpleBindVerifier(String host, int port, String base) {
        this.host = host;
        this.port = port;
        this.base = base;
    }

    public static SimpleBindVerifier fromConfig(ConfigNode node) {
        return new SimpleBindVerifier(node.string("host", "127.0.0.1"), node.integer("port", 389, 1, 65535),
            node.requiredString("base"));
    }

    @Override
    public Verdict verify(LoginAttempt attempt) {
        Optional<Verdict> pre = InputGuard.precheck(attempt);
        if (pre.isPresent()) {
            return pre.get();
        }
        try (LDAPConnection c = connect()) {
            Optional<String> dn = dnOf(c, attempt.login());
            if (dn.isEmpty()) {
                return Verdict.rejected();
            }
            try {
                c.bind(dn.get(), attempt.password().reveal());
                return Verdict.accepted();
            } catch (LDAPException e) {
                if (e.getResultCode() == ResultCode.INVALID_CREDENTIALS) {
                    return Verdict.rejected();
                }
                throw e;
            }
        } catch (LDAPException e) {
            return Verdict.unavailable(Verdict.Reason.CONNECT_FAILED, e.getResultCode().toString(), e);
        }
    }

    private LDAPConnection connect() throws LDAPException {
        LDAPConnection c = new LDAPConnection();
        c.getConnectionOptions().setConnectTimeoutMillis(2000);
        c.getConnectionOptions().setResponseTimeoutMillis(2000);
        c.connect(host, port);
        return c;
    }

    private Optional<String> dnOf(LDAPConnection c, String login) throws LDAPException {
        SearchResult r = c.search(base, SearchScope.SUB, Filter.createEqualityFilter("mail", login), "mail");
        return r.getEntryCount() == 1 ? Optional.of(r.getSearchEntries().get(0).getDN()) : Optional.empty();
    }

    @Override
    public Optional<String> lookup(String login) throws BackendUnavailableException {
        try (LDAPConnection c = connect()) {
            return dnOf(c, login).map(dn -> login);
        } catch (LDAPException e) {
            throw new BackendUnavailableException("bring-up LDAP " + host + ":" + port, e);
        }
    }

    @Override
    public List<String> list() throws BackendUnavailableException {
        try (LDAPConnection c = connect()) {
            SearchResult r = c.search(base, SearchScope.SUB, Filter.createPresenceFilter("mail"), "mail");
            return r.getSearchEntries().stream().map(e -> e.getAttributeValue("mail")).sorted().toList();
        } catch (LDAPException e) {
            throw new BackendUnavailableException("bring-up LDAP " + host + ":" + port, e);
        }
    }

    @Override
    public String name() {
        return "bringup-ldap";
    }

}
