package org.jamespack.auth.ldap;

import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;

import org.jamespack.auth.Verdict;
import org.jamespack.auth.Verdict.Reason;
import org.jspecify.annotations.Nullable;

import com.unboundid.ldap.sdk.SearchResultEntry;

import net.jcip.annotations.Immutable;

/**
 * qmail-ldap clustering: where the user's mailbox lives, read from the entry's {@code mailHost}
 * (or the configured attribute) and compared with this server's names ({@code localHosts}), as
 * {@code auth_pop} compares it with {@code control/me}. A mailbox elsewhere leaves the password
 * verdict ACCEPTED and names the host on it ({@link Verdict#withMailHost}); the protocol adapters
 * decide what that means for IMAP, POP3 and SMTP.
 *
 * <p>Off unless {@code localHosts} names this server, as qmail-ldap's clustering is off until
 * {@code ldapcluster} is set: without knowing its own names the pack cannot tell "here" from
 * "elsewhere". When on: no attribute means the mailbox is here (qmail-ldap's rule); a value that
 * is one of {@code localHosts} (ignoring case and a trailing dot) is here; any other host name is
 * elsewhere. A value that is not a single host name, or an entry the search account could not
 * read after a templated bind, is UNAVAILABLE: the pack cannot tell where the mailbox is, and
 * answering from an empty mailbox here would hide the user's mail.
 *
 * <p>Immutable and thread-safe.
 */
@Immutable
final class MailHostRule {

    /** Longest stored value echoed into a verdict's detail: it comes from the directory. */
    private static final int SHOWN = 64;

    private final String attribute;
    private final Set<String> here;

    MailHostRule(LdapSettings settings) {
        this.attribute = settings.mailHostAttribute();
        Set<String> names = new LinkedHashSet<>();
        for (String host : settings.localHosts()) {
            names.add(normalize(host));
        }
        this.here = Set.copyOf(names);
    }

    /** Whether the rule reads anything at all ({@code localHosts} set). */
    boolean enabled() {
        return !here.isEmpty();
    }

    /** The attribute the searches must request, when the rule is on. */
    String attribute() {
        return attribute;
    }

    /**
     * {@code accepted} as it stands when the mailbox is here or the rule is off; a copy naming the
     * other host when it is elsewhere; UNAVAILABLE when the entry cannot say.
     *
     * @param entry the user's entry as the login's search or read returned it; null when it could
     *              not be read (templated bind)
     */
    Verdict apply(Verdict accepted, @Nullable SearchResultEntry entry, String dn) {
        if (!enabled() || !accepted.isAccepted()) {
            return accepted;
        }
        if (entry == null) {
            return Verdict.unavailable(Reason.SERVER_ERROR, dn + ": the entry could not be read for its " + attribute
                + " (may the search account read it?)");
        }
        String[] values = entry.getAttributeValues(attribute);
        if (values == null || values.length == 0) {
            return accepted;
        }
        if (values.length > 1) {
            return Verdict.unavailable(Reason.PROTOCOL_ERROR, dn + ": " + attribute + " has " + values.length
                + " values; one host expected");
        }
        String host = normalize(values[0]);
        if (!Verdict.isHostName(host)) {
            String shown = values[0].length() > SHOWN ? values[0].substring(0, SHOWN) + "…" : values[0];
            return Verdict.unavailable(Reason.PROTOCOL_ERROR, dn + ": " + attribute + " '" + shown + "' is not a host name");
        }
        return here.contains(host) ? accepted : accepted.withMailHost(host);
    }

    /** Lower case, without surrounding blanks or a trailing dot: the form hosts are compared in. */
    static String normalize(String host) {
        String h = host.trim().toLowerCase(Locale.ROOT);
        return h.endsWith(".") ? h.substring(0, h.length() - 1) : h;
    }
}
