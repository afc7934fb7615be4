package org.jamespack.auth.ldap;

import java.util.Locale;
import java.util.Optional;
import java.util.Set;

import org.jamespack.auth.Protocol;
import org.jamespack.auth.Verdict;
import org.jamespack.auth.Verdict.Reason;
import org.jspecify.annotations.Nullable;

import com.unboundid.ldap.sdk.SearchResultEntry;

import net.jcip.annotations.Immutable;

/**
 * The account state an entry itself records: qmail-ldap {@code accountStatus} ({@code disabled},
 * {@code noaccess}, {@code deleted}: DISABLED; {@code nopop}: DISABLED for POP3) and 389-DS
 * {@code nsAccountLock}. Read with the entry, after the password is known to be right.
 *
 * <p>Immutable and thread-safe: static functions only.
 */
@Immutable
final class AccountStatus {

    static final String ACCOUNT_STATUS = "accountStatus";
    static final String NS_ACCOUNT_LOCK = "nsAccountLock";
    private static final Set<String> DISABLED_STATUSES = Set.of("disabled", "noaccess", "deleted");

    private AccountStatus() {
    }

    /** DISABLED when the entry says so; empty when it does not, or when there is no entry. */
    static Optional<Verdict> of(@Nullable SearchResultEntry entry, Protocol protocol, String dn) {
        if (entry == null) {
            return Optional.empty();
        }
        String status = entry.getAttributeValue(ACCOUNT_STATUS);
        if (status != null) {
            String s = status.trim().toLowerCase(Locale.ROOT);
            if (DISABLED_STATUSES.contains(s)) {
                return Optional.of(Verdict.disabled(Reason.ACCOUNT_DISABLED, dn + ": accountStatus " + s));
            }
            if (s.equals("nopop") && protocol == Protocol.POP3) {
                return Optional.of(Verdict.disabled(Reason.FEATURE_DISABLED, dn + ": accountStatus nopop"));
            }
        }
        String lock = entry.getAttributeValue(NS_ACCOUNT_LOCK);
        if (lock != null && lock.trim().equalsIgnoreCase("true")) {
            return Optional.of(Verdict.disabled(Reason.ACCOUNT_DISABLED, dn + ": nsAccountLock"));
        }
        return Optional.empty();
    }
}
