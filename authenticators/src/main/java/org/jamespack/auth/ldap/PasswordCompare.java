package org.jamespack.auth.ldap;

import java.util.Arrays;

import org.jamespack.auth.Verdict;
import org.jamespack.auth.Verdict.Reason;
import org.jamespack.auth.hash.HashCheck;
import org.jamespack.auth.hash.PasswordHashes;
import org.jamespack.foundation.Secret;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.unboundid.ldap.sdk.Attribute;
import com.unboundid.ldap.sdk.CompareRequest;
import com.unboundid.ldap.sdk.CompareResult;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.ResultCode;
import com.unboundid.ldap.sdk.SearchResultEntry;

import net.jcip.annotations.ThreadSafe;

/**
 * The two compare modes' password checks: {@code compare} verifies the stored values of the
 * password attribute here, within the {@link LdapSettings#hashLimits()} caps; {@code
 * compare-operation} asks the directory with an LDAP Compare.
 *
 * <p>Thread-safe: immutable settings and thread-safe connection pools.
 */
@ThreadSafe
final class PasswordCompare {

    /** Logs under the verifier's name: operators filter on it. */
    private static final Logger LOGGER = LoggerFactory.getLogger(LdapVerifier.class);

    private final LdapSettings settings;
    private final LdapConnections connections;

    PasswordCompare(LdapSettings settings, LdapConnections connections) {
        this.settings = settings;
        this.connections = connections;
    }

    /**
     * {@code compare} mode: ACCEPTED when a stored value matches. A value over the cost caps is
     * REJECTED uncomputed; an entry without a readable value costs the dummy check all the same.
     */
    Verdict locally(SearchResultEntry entry, Secret password) {
        Attribute attribute = entry.getAttribute(settings.passwordAttribute());
        if (attribute == null || attribute.size() == 0) {
            PasswordHashes.dummyCheck(password, settings.dummyHash(), settings.hashLimits());
            LOGGER.warn("ldap: {} has no readable {} (may the service account read it?)", entry.getDN(),
                settings.passwordAttribute());
            return Verdict.rejected(Reason.INVALID_CREDENTIALS, entry.getDN() + ": no readable " + settings.passwordAttribute());
        }
        String unsupported = null;
        String overLimit = null;
        for (String stored : attribute.getValues()) {
            HashCheck check = PasswordHashes.check(stored, password, settings.hashLimits());
            if (check.matches()) {
                return Verdict.accepted();
            }
            if (check.outcome() == HashCheck.Outcome.UNSUPPORTED) {
                unsupported = check.scheme();
            }
            if (check.outcome() == HashCheck.Outcome.OVER_LIMIT) {
                overLimit = check.scheme();
            }
        }
        if (overLimit != null) {
            // the entry and the parameter, never the value: the hash would help an offline guesser
            LOGGER.warn("ldap: {} has a password value over the cost caps ({}); refused without computing it",
                entry.getDN(), overLimit);
            return Verdict.rejected(Reason.UNSUPPORTED_SCHEME, entry.getDN() + ": cost over the caps (" + overLimit + ")");
        }
        if (unsupported != null) {
            LOGGER.warn("ldap: {} has a password in scheme {} that the pack cannot verify", entry.getDN(), unsupported);
            return Verdict.rejected(Reason.UNSUPPORTED_SCHEME, entry.getDN() + ": scheme " + unsupported);
        }
        return Verdict.rejected();
    }

    /** {@code compare-operation} mode: the directory's own Compare of the password attribute at {@code dn}. */
    Verdict byOperation(String dn, Secret password) throws LDAPException {
        byte[] pw = password.utf8();
        CompareRequest request = new CompareRequest(dn, settings.passwordAttribute(), pw);
        try {
            CompareResult result = connections.compare(request);
            return result.compareMatched() ? Verdict.accepted() : Verdict.rejected();
        } catch (LDAPException e) {
            if (e.getResultCode() == ResultCode.COMPARE_FALSE || e.getResultCode() == ResultCode.NO_SUCH_ATTRIBUTE
                || e.getResultCode() == ResultCode.NO_SUCH_OBJECT) {
                return Verdict.rejected();
            }
            throw withoutAssertionValue(e, request);
        } finally {
            Arrays.fill(pw, (byte) 0);
        }
    }

    /**
     * {@code e} without the Compare request's text: UnboundID writes the whole request, assertion
     * value (here the password in clear) included, into the message of the exception it throws when
     * the connection closes before the answer ({@code CompareRequest.toString}); that exception
     * becomes the UNAVAILABLE verdict's cause, which is logged. The result code, matched DN,
     * referrals, controls and stack stay; a cause is kept only when its own text is clean.
     */
    static LDAPException withoutAssertionValue(LDAPException e, CompareRequest request) {
        String leaked = request.toString();
        String shown = "CompareRequest(dn='" + request.getDN() + "', attr='" + request.getAttributeName() + "')";
        String message = String.valueOf(e.getMessage()).replace(leaked, shown);
        String value = request.getAssertionValue();
        boolean causeClean = true;
        for (Throwable t = e.getCause(); t != null && t != t.getCause(); t = t.getCause()) {
            if (String.valueOf(t.getMessage()).contains(value) || String.valueOf(t).contains(leaked)) {
                causeClean = false;
            }
        }
        if (message.contains(value)) {
            message = "compare of " + request.getAttributeName() + " at " + request.getDN() + " failed: " + e.getResultCode();
        }
        LDAPException clean = new LDAPException(e.getResultCode(), message, e.getMatchedDN(), e.getReferralURLs(),
            e.getResponseControls(), causeClean ? e.getCause() : null);
        clean.setStackTrace(e.getStackTrace());
        return clean;
    }
}
