package org.jamespack.auth.ldap;

import java.security.cert.CertificateException;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.net.ssl.SSLException;

import org.jamespack.auth.Verdict;
import org.jamespack.auth.Verdict.Reason;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.LDAPResult;
import com.unboundid.ldap.sdk.ResultCode;
import com.unboundid.ldap.sdk.experimental.DraftBeheraLDAPPasswordPolicy10ErrorType;
import com.unboundid.ldap.sdk.experimental.DraftBeheraLDAPPasswordPolicy10ResponseControl;
import com.unboundid.ldap.sdk.experimental.DraftBeheraLDAPPasswordPolicy10WarningType;

import net.jcip.annotations.Immutable;

/**
 * What a directory's answer means: a user bind's result or failure, and any other operation's
 * failure, as a {@link Verdict}. Decided by result code and the ppolicy response control, not by
 * text, except Active Directory's sub-code, which AD sends only in the diagnostic text.
 *
 * <p>Immutable and thread-safe: static functions only.
 */
@Immutable
final class BindVerdicts {

    /** Logs under the verifier's name: operators filter on it. */
    private static final Logger LOGGER = LoggerFactory.getLogger(LdapVerifier.class);
    /** AD's sub-codes in the diagnostic of a 49 (MS-ADTS 3.1.1.3.1.9, as Spring Security reads them). */
    private static final Pattern AD_SUB_CODE = Pattern.compile("data ([0-9a-fA-F]{3,4})");

    private BindVerdicts() {
    }

    /** A successful bind of {@code dn}: ACCEPTED, with the ppolicy warnings the answer carries. */
    static Verdict afterBind(LDAPResult result, String dn) {
        Optional<DraftBeheraLDAPPasswordPolicy10ResponseControl> policy = policyControl(result);
        if (policy.isPresent()) {
            DraftBeheraLDAPPasswordPolicy10ResponseControl control = policy.get();
            if (control.getErrorType() == DraftBeheraLDAPPasswordPolicy10ErrorType.CHANGE_AFTER_RESET) {
                LOGGER.warn("ldap: {} logged in with a password that must be changed (ppolicy pwdReset)", dn);
                return Verdict.accepted(Reason.OK_MUST_CHANGE_PASSWORD, dn);
            }
            if (control.getWarningType() == DraftBeheraLDAPPasswordPolicy10WarningType.GRACE_LOGINS_REMAINING) {
                LOGGER.warn("ldap: {} logged in on an expired password, {} grace logins remain", dn, control.getWarningValue());
                return Verdict.accepted(Reason.OK_GRACE_LOGIN, dn);
            }
            if (control.getWarningType() == DraftBeheraLDAPPasswordPolicy10WarningType.TIME_BEFORE_EXPIRATION) {
                LOGGER.info("ldap: the password of {} expires in {} s", dn, control.getWarningValue());
            }
        }
        return Verdict.accepted();
    }

    /** A refused or failed bind of {@code dn}: REJECTED, DISABLED or UNAVAILABLE. */
    static Verdict bindFailure(LDAPException e, String dn) {
        Optional<DraftBeheraLDAPPasswordPolicy10ResponseControl> policy = policyControl(e.toLDAPResult());
        if (policy.isPresent() && policy.get().getErrorType() != null) {
            DraftBeheraLDAPPasswordPolicy10ErrorType error = policy.get().getErrorType();
            if (error == DraftBeheraLDAPPasswordPolicy10ErrorType.ACCOUNT_LOCKED) {
                return Verdict.disabled(Reason.ACCOUNT_LOCKED, dn + ": ppolicy account locked");
            }
            if (error == DraftBeheraLDAPPasswordPolicy10ErrorType.PASSWORD_EXPIRED) {
                return Verdict.disabled(Reason.ACCOUNT_EXPIRED, dn + ": ppolicy password expired");
            }
        }
        ResultCode rc = e.getResultCode();
        if (rc == ResultCode.INVALID_CREDENTIALS) {
            return activeDirectory(e.getDiagnosticMessage(), dn).orElse(Verdict.rejected());
        }
        if (rc == ResultCode.NO_SUCH_OBJECT || rc == ResultCode.INVALID_DN_SYNTAX) {
            return Verdict.rejected();
        }
        if (rc == ResultCode.UNWILLING_TO_PERFORM) {
            // 389-DS answers an nsAccountLock'ed account's bind with 53
            return Verdict.disabled(Reason.ACCOUNT_DISABLED, dn + ": result 53 (unwillingToPerform)");
        }
        if (rc == ResultCode.CONSTRAINT_VIOLATION) {
            // 389-DS's password policy: "Exceed password retry limit"
            return Verdict.disabled(Reason.ACCOUNT_LOCKED, dn + ": result 19 (constraintViolation)");
        }
        return unavailable(e, "bind");
    }

    /** An operation that failed for a reason that is not about the credentials: UNAVAILABLE, by kind. */
    static Verdict unavailable(LDAPException e, String operation) {
        ResultCode rc = e.getResultCode();
        String detail = operation + ": " + rc;
        if (isTlsFailure(e)) {
            return Verdict.unavailable(Reason.TLS_FAILURE, detail, e);
        }
        if (rc == ResultCode.TIMEOUT || rc == ResultCode.TIME_LIMIT_EXCEEDED) {
            return Verdict.unavailable(Reason.TIMEOUT, detail, e);
        }
        if (rc == ResultCode.SERVER_DOWN || rc == ResultCode.CONNECT_ERROR || rc == ResultCode.UNAVAILABLE) {
            return Verdict.unavailable(Reason.CONNECT_FAILED, detail, e);
        }
        if (rc == ResultCode.DECODING_ERROR || rc == ResultCode.PROTOCOL_ERROR || rc == ResultCode.REFERRAL) {
            return Verdict.unavailable(Reason.PROTOCOL_ERROR, detail, e);
        }
        return Verdict.unavailable(Reason.SERVER_ERROR, detail, e);
    }

    private static boolean isTlsFailure(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SSLException || t instanceof CertificateException) {
                return true;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return false;
    }

    /** AD puts why a 49 happened in its text only: {@code ... data 533, v2580}. */
    private static Optional<Verdict> activeDirectory(@Nullable String diagnostic, String dn) {
        if (diagnostic == null) {
            return Optional.empty();
        }
        Matcher m = AD_SUB_CODE.matcher(diagnostic);
        if (!m.find()) {
            return Optional.empty();
        }
        switch (m.group(1).toLowerCase(Locale.ROOT)) {
            case "533":
                return Optional.of(Verdict.disabled(Reason.ACCOUNT_DISABLED, dn + ": AD account disabled (533)"));
            case "775":
                return Optional.of(Verdict.disabled(Reason.ACCOUNT_LOCKED, dn + ": AD account locked (775)"));
            case "701":
                return Optional.of(Verdict.disabled(Reason.ACCOUNT_EXPIRED, dn + ": AD account expired (701)"));
            case "532":
                return Optional.of(Verdict.disabled(Reason.ACCOUNT_EXPIRED, dn + ": AD password expired (532)"));
            case "773":
                return Optional.of(Verdict.disabled(Reason.ACCOUNT_EXPIRED, dn + ": AD password must be reset (773)"));
            case "530":
            case "531":
                return Optional.of(Verdict.disabled(Reason.FEATURE_DISABLED, dn + ": AD logon time or workstation restriction"));
            default:
                return Optional.empty();
        }
    }

    private static Optional<DraftBeheraLDAPPasswordPolicy10ResponseControl> policyControl(LDAPResult result) {
        try {
            return Optional.ofNullable(DraftBeheraLDAPPasswordPolicy10ResponseControl.get(result));
        } catch (LDAPException e) {
            LOGGER.debug("ldap: undecodable password policy response control: {}", e.getMessage());
            return Optional.empty();
        }
    }
}
