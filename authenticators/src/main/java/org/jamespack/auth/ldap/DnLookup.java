package org.jamespack.auth.ldap;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import org.jspecify.annotations.Nullable;

import com.unboundid.ldap.sdk.DN;
import com.unboundid.ldap.sdk.DereferencePolicy;
import com.unboundid.ldap.sdk.Filter;
import com.unboundid.ldap.sdk.LDAPConnectionPool;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.LDAPSearchException;
import com.unboundid.ldap.sdk.RDN;
import com.unboundid.ldap.sdk.ResultCode;
import com.unboundid.ldap.sdk.SearchRequest;
import com.unboundid.ldap.sdk.SearchResult;
import com.unboundid.ldap.sdk.SearchResultEntry;
import com.unboundid.ldap.sdk.SearchResultReference;
import com.unboundid.ldap.sdk.SearchScope;

import net.jcip.annotations.Immutable;
import net.jcip.annotations.ThreadSafe;

/**
 * Finds the entry a login names: a subtree search on the login attributes, or the entry at the
 * {@code dnTemplate}'s DN, both narrowed by {@code objectClass} and {@code filter}. Reads the
 * attributes the verifier needs afterwards (the username, the account state, with
 * {@code localHosts} the mail host, in {@code compare} mode the password attribute). Referrals are never followed: continuation references come back
 * in the {@link Match} for the caller to refuse.
 *
 * <p>Thread-safe: immutable, over the verifier's thread-safe search pool.
 */
@ThreadSafe
final class DnLookup {

    private final LdapSettings settings;
    private final LDAPConnectionPool searchPool;
    private final String[] searchAttributes;
    /** The dnTemplate's RDN attribute and parent DN, parsed once: per login only the RDN is built. */
    private final @Nullable String templateAttribute;
    private final @Nullable DN templateParent;

    DnLookup(LdapSettings settings, LDAPConnectionPool searchPool) {
        this.settings = settings;
        this.searchPool = searchPool;
        Set<String> attributes = new LinkedHashSet<>();
        attributes.add(settings.usernameAttribute());
        attributes.add(AccountStatus.ACCOUNT_STATUS);
        attributes.add(AccountStatus.NS_ACCOUNT_LOCK);
        if (settings.mode() == LdapSettings.Mode.COMPARE) {
            attributes.add(settings.passwordAttribute());
        }
        if (settings.mailHostEnabled()) {
            // read with the entry the login needs anyway: knowing where the mailbox lives costs no round trip
            attributes.add(settings.mailHostAttribute());
        }
        this.searchAttributes = attributes.toArray(new String[0]);
        String attribute = null;
        DN parent = null;
        if (settings.dnTemplate().isPresent()) {
            // parsed here, not per login: the template's parts take a regular expression and two DN parses
            String[] parts = LdapSettingsRules.templateParts(settings.dnTemplate().get());
            attribute = parts[0];
            try {
                parent = new DN(parts[1]);
            } catch (LDAPException e) {
                throw new IllegalArgumentException("dnTemplate: '" + parts[1] + "' is not a DN", e);
            }
        }
        this.templateAttribute = attribute;
        this.templateParent = parent;
    }

    /** The DN the template gives {@code login}; the login is a value of the RDN, never pasted text. */
    DN templateDn(String login) {
        // RDN built from the value, never by pasting: ",", "+", "=" and "\" in a login stay data
        return new DN(new RDN(templateAttribute, login), templateParent);
    }

    /**
     * The entry at a templated DN, read with a base-scope search that carries {@code objectClass}
     * and {@code filter}: null when it does not exist, cannot be read, or does not match them.
     * The entry is read after every templated bind anyway (account state), so the restriction costs
     * no extra round trip.
     */
    @Nullable SearchResultEntry templateEntry(String dn) throws LDAPException {
        if (!restricted()) {
            return searchPool.getEntry(dn, searchAttributes);
        }
        return readAt(dn, restrict(Filter.createPresenceFilter("objectClass")));
    }

    /**
     * The entry at {@code dn} read afresh, if it still matches the login (the login attributes, {@code objectClass} and
     * {@code filter}): a base-scope search, one operation as {@link #find} is, but a direct read for the directory
     * (no index, no subtree). Null when the entry is gone or no longer answers for the login: then {@link #find} decides.
     */
    @Nullable SearchResultEntry reread(String dn, String login) throws LDAPException {
        return readAt(dn, loginFilter(login));
    }

    /** The entry at {@code dn} if it matches {@code filter} (a base-scope search); null when it does not or is gone. */
    private @Nullable SearchResultEntry readAt(String dn, Filter filter) throws LDAPException {
        SearchRequest request = new SearchRequest(dn, SearchScope.BASE, DereferencePolicy.NEVER, 1,
            (int) Math.max(1L, settings.responseTimeout().toSeconds()), false, filter, searchAttributes);
        try {
            SearchResult result = searchPool.search(request);
            return result.getEntryCount() == 1 ? result.getSearchEntries().get(0) : null;
        } catch (LDAPSearchException e) {
            if (e.getResultCode() == ResultCode.NO_SUCH_OBJECT) {
                return null;
            }
            throw e;
        }
    }

    /** The entries the login names; at most two are fetched, two meaning "ambiguous". */
    Match find(String login) throws LDAPException {
        SearchRequest request = new SearchRequest(settings.baseDn(), SearchScope.SUB, DereferencePolicy.NEVER, 2,
            (int) Math.max(1L, settings.responseTimeout().toSeconds()), false, loginFilter(login), searchAttributes);
        try {
            SearchResult result = searchPool.search(request);
            return new Match(result.getSearchEntries(), false, references(result.getSearchReferences()));
        } catch (LDAPSearchException e) {
            if (e.getResultCode() == ResultCode.SIZE_LIMIT_EXCEEDED) {
                return new Match(e.getSearchEntries(), true, references(e.getSearchReferences()));
            }
            throw e;
        }
    }

    /** The canonical names of every entry the settings admit, for directory mode. */
    List<String> usernames() throws LDAPException {
        Filter filter = restrict(Filter.createPresenceFilter(settings.usernameAttribute()));
        SearchResult result = searchPool.search(new SearchRequest(settings.baseDn(), SearchScope.SUB,
            DereferencePolicy.NEVER, 0, 0, false, filter, settings.usernameAttribute()));
        Set<String> names = new LinkedHashSet<>();
        for (SearchResultEntry entry : result.getSearchEntries()) {
            String value = entry.getAttributeValue(settings.usernameAttribute());
            if (value != null) {
                names.add(value);
            }
        }
        return List.copyOf(names);
    }

    private Filter loginFilter(String login) throws LDAPException {
        List<Filter> any = new ArrayList<>();
        for (String attribute : settings.loginAttributes()) {
            any.add(Filter.createEqualityFilter(attribute, login));
        }
        return restrict(any.size() == 1 ? any.get(0) : Filter.createORFilter(any));
    }

    private Filter restrict(Filter base) throws LDAPException {
        List<Filter> all = new ArrayList<>();
        all.add(base);
        if (settings.objectClass().isPresent()) {
            all.add(Filter.createEqualityFilter("objectClass", settings.objectClass().get()));
        }
        if (settings.filter().isPresent()) {
            all.add(Filter.create(settings.filter().get()));
        }
        return all.size() == 1 ? base : Filter.createANDFilter(all);
    }

    /** Whether {@code objectClass} or {@code filter} narrows who may log in. */
    boolean restricted() {
        return settings.objectClass().isPresent() || settings.filter().isPresent();
    }

    String restrictionText() {
        List<String> parts = new ArrayList<>();
        settings.objectClass().ifPresent(c -> parts.add("objectClass " + c));
        settings.filter().ifPresent(f -> parts.add("filter " + f));
        return String.join(" and ", parts);
    }

    static boolean sameDn(String a, String b) {
        try {
            return new DN(a).equals(new DN(b));
        } catch (LDAPException e) {
            return false;
        }
    }

    private static List<SearchResultReference> references(@Nullable List<SearchResultReference> found) {
        return found == null ? List.of() : found;
    }

    /**
     * The entries a search found; {@code truncated} when the size limit cut it short;
     * {@code references} are the search continuation references (RFC 4511 4.5.3), never followed.
     * Immutable once built: the lists come from UnboundID's result and are not changed.
     */
    @Immutable
    record Match(List<SearchResultEntry> entries, boolean truncated, List<SearchResultReference> references) {

        /** Exactly one entry, no references, not cut short: the login names one user. */
        boolean single() {
            return references.isEmpty() && entries.size() == 1 && !truncated;
        }

        /** The entries' DNs, for a log line. */
        String dns() {
            List<String> dns = new ArrayList<>();
            for (SearchResultEntry e : entries) {
                dns.add(e.getDN());
            }
            return String.join("; ", dns);
        }

        /** The references' URLs, cut to a few: they come from the directory and go into a log line. */
        String referenceUrls() {
            List<String> urls = new ArrayList<>();
            for (SearchResultReference r : references) {
                for (String url : r.getReferralURLs()) {
                    if (urls.size() == 3) {
                        urls.add("…");
                        return String.join(", ", urls);
                    }
                    urls.add(url.length() > 200 ? url.substring(0, 200) + "…" : url);
                }
            }
            return String.join(", ", urls);
        }
    }
}
