package org.jamespack.auth.ldap;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

import org.jamespack.auth.BackendUnavailableException;
import org.jamespack.auth.CredentialVerifier;
import org.jamespack.auth.InputGuard;
import org.jamespack.auth.LogSafe;
import org.jamespack.auth.LoginAttempt;
import org.jamespack.auth.UserDirectory;
import org.jamespack.auth.Verdict;
import org.jamespack.auth.Verdict.Reason;
import org.jamespack.auth.hash.HashLimits;
import org.jamespack.auth.hash.PasswordHashes;
import org.jamespack.foundation.Secret;
import org.jamespack.foundation.config.ConfigNode;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.github.benmanes.caffeine.cache.Ticker;
import com.unboundid.ldap.sdk.CompareRequest;
import com.unboundid.ldap.sdk.Control;
import com.unboundid.ldap.sdk.DN;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.SearchResultEntry;
import com.unboundid.ldap.sdk.SimpleBindRequest;
import com.unboundid.ldap.sdk.experimental.DraftBeheraLDAPPasswordPolicy10RequestControl;

import net.jcip.annotations.ThreadSafe;

/**
 * Checks logins against an LDAP directory in one of qmail-ldap {@code auth_pop}'s two ways,
 * rebind or compare (see {@link LdapSettings.Mode}), and lists the directory's users.
 *
 * <p>Thread-safe: all state is two connection pools ({@link LdapConnections}: one for searches,
 * one for user binds only), the DN cache and immutable settings. In rebind mode a thread-safe
 * login-to-DN cache ({@link DnCache}, {@code dnCacheTtl}) saves the search too: a seen login binds
 * its cached DN at once, and a bind refused with invalidCredentials or noSuchObject is followed by
 * one search before the answer, so a moved or renamed entry is bound where it now lives rather
 * than called a wrong password.
 *
 * <p>Outcomes: wrong password or unknown user is REJECTED (an unknown user costs a dummy
 * bind or a dummy hash, so it takes as long); several matching entries is REJECTED with
 * {@link Reason#AMBIGUOUS_LOGIN}; qmail-ldap {@code accountStatus}, 389-DS {@code nsAccountLock},
 * result 53, ppolicy locks and AD sub-codes {@code data 525/530/531/532/533/701/773/775} give
 * DISABLED ({@link AccountStatus}, {@link BindVerdicts}); with {@code localHosts} set, a right
 * password whose entry's {@code mailHost} names another server is ACCEPTED naming that host
 * ({@link MailHostRule}: the attribute rides on the search that finds the entry); outage, time-out, TLS failure and any
 * result code that is not about the credentials give UNAVAILABLE. Referrals are never
 * followed: a search that returns continuation references is UNAVAILABLE (the entry may live
 * elsewhere). In compare mode a stored value over the {@link HashLimits} caps is REJECTED
 * without being computed. A user bind that times out is not retried. With {@code dnTemplate},
 * {@code objectClass} and {@code filter} are checked on the bound entry. Logs: verdicts at DEBUG
 * (the adapters log the final verdict at INFO), ambiguous logins, unverifiable schemes and values
 * over the cost caps at WARN, UNAVAILABLE at WARN with the cause; never the password or a stored value.
 */
@ThreadSafe
public final class LdapVerifier implements CredentialVerifier, UserDirectory {

    private static final Logger LOGGER = LoggerFactory.getLogger(LdapVerifier.class);

    /** The RDN value of the DN bound when the login matches no entry: it exists nowhere. */
    private static final String DUMMY_RDN = "cn=jamespack-no-such-user-5b0f";

    private final LdapSettings settings;
    // the three below are null only in the inert verifier fromConfig returns after a configuration problem
    private final @Nullable LdapConnections connections;
    private final @Nullable DnLookup lookup;
    private final @Nullable PasswordCompare compare;
    private final Optional<DN> dummyDn;
    private final MailHostRule mailHosts;
    private final AtomicBoolean closed = new AtomicBoolean();
    /** The login-to-DN cache of rebind and compare mode; null when off (compare-by-operation, dnTemplate, dnCacheTtl 0). */
    private final @Nullable DnCache dnCache;

    private LdapVerifier(LdapSettings settings, @Nullable LdapConnections connections, Ticker ticker) {
        this.settings = settings;
        this.mailHosts = new MailHostRule(settings);
        this.dnCache = settings.dnCacheEnabled()
            ? new DnCache(settings.dnCacheTtl(), settings.dnCacheSize(), settings.usernameAttribute(), ticker)
            : null;
        this.connections = connections;
        this.lookup = connections == null ? null : new DnLookup(settings, connections.search());
        this.compare = connections == null ? null : new PasswordCompare(settings, connections);
        Optional<DN> dummy;
        try {
            dummy = Optional.of(new DN(DUMMY_RDN + "," + settings.baseDn()));
        } catch (LDAPException e) {
            dummy = Optional.empty();
        }
        this.dummyDn = dummy;
    }

    /**
     * A verifier for {@code settings}. Connects lazily: a directory that is down at start-up
     * makes logins UNAVAILABLE until it is back, it does not stop the server from starting.
     *
     * @throws IllegalArgumentException when the trust store cannot be read
     */
    public static LdapVerifier create(LdapSettings settings) {
        return create(settings, Ticker.systemTicker());
    }

    /** For tests: {@code ticker} is the DN cache's clock, in nanoseconds. */
    static LdapVerifier create(LdapSettings settings, Ticker ticker) {
        return new LdapVerifier(settings, LdapConnections.open(settings), ticker);
    }

    /**
     * A verifier for an {@code <ldap>} element, read by {@link LdapSettings#from(ConfigNode)}: every
     * problem is recorded on {@code node.problems()} with its file and line. The attributes
     * {@code name} and {@code control} belong to the chain loader and are not read here; the
     * caller reports unread keys and throws ({@code reportUnread()}, {@code throwIfAny()}).
     * When a problem was recorded, the verifier returned is an inert, closed one that answers
     * UNAVAILABLE and never connects: the caller is expected to throw before using it.
     */
    public static LdapVerifier fromConfig(ConfigNode node) {
        Optional<LdapSettings> settings = LdapSettings.from(node);
        if (settings.isEmpty()) {
            LdapVerifier inert = new LdapVerifier(LdapSettings.builder().url("ldap://127.0.0.1:389").baseDn("dc=invalid").build(),
                null, Ticker.systemTicker());
            inert.closed.set(true);
            return inert;
        }
        return create(settings.get());
    }

    public LdapSettings settings() {
        return settings;
    }

    @Override
    public String name() {
        return "ldap";
    }

    @Override
    public Verdict verify(LoginAttempt attempt) {
        Optional<Verdict> refused = InputGuard.precheck(attempt);
        if (refused.isPresent()) {
            LOGGER.debug("ldap: login '{}' refused before any directory call: {}", LogSafe.lazy(attempt.login()), refused.get());
            return refused.get();
        }
        if (closed.get()) {
            return Verdict.unavailable(Reason.CONNECT_FAILED, "ldap verifier is closed");
        }
        long start = System.nanoTime();
        Verdict verdict;
        try {
            verdict = decide(attempt);
        } catch (LDAPException e) {
            verdict = BindVerdicts.unavailable(e, "search");
        }
        long millis = (System.nanoTime() - start) / 1_000_000;
        if (verdict.state() == Verdict.State.UNAVAILABLE) {
            LOGGER.warn("ldap: login '{}' {} after {} ms", LogSafe.of(attempt.login()), verdict, millis, verdict.cause().orElse(null));
        } else {
            LOGGER.debug("ldap: login '{}' {} after {} ms", LogSafe.lazy(attempt.login()), verdict, millis);
        }
        return verdict;
    }

    private Verdict decide(LoginAttempt attempt) throws LDAPException {
        if (settings.dnTemplate().isPresent()) {
            String dn = lookup.templateDn(attempt.login()).toString();
            Verdict bound = bindAsUser(dn, attempt.password());
            if (!bound.isAccepted()) {
                return bound;
            }
            SearchResultEntry entry = lookup.templateEntry(dn);
            if (entry == null && lookup.restricted()) {
                // the password is right for that DN, but the entry is outside the population the
                // operator configured: as unknown as a DN that does not exist
                LOGGER.debug("ldap: login '{}' bound as {}, which does not match {}; refused", attempt.login(), dn,
                    lookup.restrictionText());
                return Verdict.rejected(Reason.INVALID_CREDENTIALS, dn + " does not match " + lookup.restrictionText());
            }
            return settled(bound, entry, attempt, dn);
        }
        Verdict cachedRejection = null;
        String rejectedDn = null;
        long epoch = 0;
        if (dnCache != null) {
            SearchResultEntry cached = dnCache.get(attempt.login());
            if (cached != null && settings.mode() == LdapSettings.Mode.COMPARE) {
                // the entry is read afresh at its DN (password, account state, membership: nothing comes from the cache);
                // gone, renamed or no longer the login's: searched below as if never cached
                SearchResultEntry fresh = lookup.reread(cached.getDN(), attempt.login());
                if (fresh != null) {
                    Verdict checked = compare.locally(fresh, attempt.password());
                    return checked.isAccepted() ? settled(checked, fresh, attempt, fresh.getDN()) : checked;
                }
                dnCache.drop(attempt.login());
                cached = null;
            }
            if (cached != null) {
                Verdict bound = bindAsUser(cached.getDN(), attempt.password());
                if (bound.isAccepted()) {
                    return settled(bound, cached, attempt, cached.getDN());
                }
                if (bound.state() != Verdict.State.REJECTED) {
                    return bound;
                }
                // invalidCredentials or noSuchObject: the entry may have moved or been renamed, or
                // the login may now name another entry; a search decides before a wrong password is said
                dnCache.drop(attempt.login());
                cachedRejection = bound;
                rejectedDn = cached.getDN();
            }
            epoch = dnCache.epoch();
        }
        DnLookup.Match match = lookup.find(attempt.login());
        if (dnCache != null && match.single()) {
            dnCache.put(attempt.login(), withoutPassword(match.entries().get(0)), epoch);
        }
        if (rejectedDn != null && match.entries().size() == 1 && match.references().isEmpty()
            && DnLookup.sameDn(rejectedDn, match.entries().get(0).getDN())) {
            // the same entry refused this very password a moment ago: no second bind
            return cachedRejection;
        }
        if (!match.references().isEmpty()) {
            // the entry may live where the references point; referrals stay unfollowed, so the
            // directory could not answer: not a wrong password, and not a failed login to count
            return Verdict.unavailable(Reason.PROTOCOL_ERROR, "the search for the login returned " + match.references().size()
                + " continuation reference(s) (" + match.referenceUrls() + "); referrals are not followed: "
                + "point baseDn at the server and subtree that hold the users");
        }
        if (match.entries().size() != 1) {
            if (rejectedDn == null) {
                // a cached DN's bind was spent already: that is the unknown user's cost
                spendDummy(attempt.password());
            }
            if (match.entries().size() > 1 || match.truncated()) {
                LOGGER.warn("ldap: login '{}' matches several entries ({}); refused", LogSafe.of(attempt.login()), match.dns());
                return Verdict.rejected(Reason.AMBIGUOUS_LOGIN, "login matches several entries");
            }
            return Verdict.rejected();
        }
        SearchResultEntry entry = match.entries().get(0);
        Verdict checked;
        switch (settings.mode()) {
            case REBIND:
                checked = bindAsUser(entry.getDN(), attempt.password());
                break;
            case COMPARE:
                checked = compare.locally(entry, attempt.password());
                break;
            default:
                checked = compare.byOperation(entry.getDN(), attempt.password());
                break;
        }
        if (!checked.isAccepted()) {
            return checked;
        }
        return settled(checked, entry, attempt, entry.getDN());
    }

    /** The entry as the DN cache keeps it: never a stored password hash (compare mode reads one with every login). */
    private SearchResultEntry withoutPassword(SearchResultEntry entry) {
        if (!entry.hasAttribute(settings.passwordAttribute())) {
            return entry;
        }
        com.unboundid.ldap.sdk.Entry copy = entry.duplicate();
        copy.removeAttribute(settings.passwordAttribute());
        return new SearchResultEntry(copy, entry.getControls());
    }

    /**
     * What the entry itself adds to a right password: DISABLED by its account state, otherwise
     * the verdict, naming the mail host when the mailbox lives on another server.
     */
    private Verdict settled(Verdict accepted, @Nullable SearchResultEntry entry, LoginAttempt attempt, String dn) {
        Optional<Verdict> disabled = AccountStatus.of(entry, attempt.protocol(), dn);
        return disabled.isPresent() ? disabled.get() : mailHosts.apply(accepted, entry, dn);
    }

    /** Binds on the bind pool; the connection is released whatever identity it now has. */
    private Verdict bindAsUser(String dn, Secret password) {
        byte[] pw = password.utf8();
        try {
            Control[] controls = settings.passwordPolicyControl() && Objects.requireNonNull(connections).policyControlMayMatter()
                ? new Control[] {new DraftBeheraLDAPPasswordPolicy10RequestControl()}
                : new Control[0];
            return BindVerdicts.afterBind(connections.bind(new SimpleBindRequest(dn, pw, controls)), dn);
        } catch (LDAPException e) {
            return BindVerdicts.bindFailure(e, dn);
        } finally {
            Arrays.fill(pw, (byte) 0);
        }
    }

    /** Makes an unknown login cost what a known one costs: a bind (rebind) or a hash (compare). */
    private void spendDummy(Secret password) {
        switch (settings.mode()) {
            case REBIND:
                if (dummyDn.isPresent()) {
                    bindAsUser(dummyDn.get().toString(), password);
                }
                break;
            case COMPARE:
                PasswordHashes.dummyCheck(password, settings.dummyHash(), settings.hashLimits());
                break;
            default:
                // a Compare operation against a missing entry costs the directory what a real one does
                try {
                    connections.search().compare(new CompareRequest(dummyDn.map(DN::toString).orElse(settings.baseDn()),
                        settings.passwordAttribute(), password.utf8()));
                } catch (LDAPException e) {
                    LOGGER.trace("ldap: dummy compare: {}", e.getResultCode());
                }
                break;
        }
    }

    /**
     * Drops what the DN cache holds for {@code user} (a login or a canonical username, ignoring
     * case); called with the verdict cache's invalidation, so an operator who moved or renamed an
     * entry has its logins searched again at once rather than after {@code dnCacheTtl}.
     */
    @Override
    public void forget(String user) {
        if (dnCache != null) {
            dnCache.forget(user);
        }
    }

    @Override
    public void forgetAll() {
        if (dnCache != null) {
            dnCache.forgetAll();
        }
    }

    /** What the DN cache holds for {@code login}; null when nothing or when it is off. For tests. */
    @Nullable SearchResultEntry dnCacheEntry(String login) {
        return dnCache == null ? null : dnCache.get(login);
    }

    /** Logins the DN cache holds now; 0 when it is off. For tests. */
    long dnCacheSize() {
        return dnCache == null ? 0 : dnCache.size();
    }

    @Override
    public Optional<String> lookup(String login) throws BackendUnavailableException {
        ensureOpen();
        if (login.isEmpty() || login.length() > InputGuard.MAX_LOGIN_LENGTH) {
            return Optional.empty();
        }
        try {
            if (settings.dnTemplate().isPresent() && settings.bindDn().isEmpty()) {
                SearchResultEntry entry = lookup.templateEntry(lookup.templateDn(login).toString());
                return entry == null ? Optional.empty() : Optional.ofNullable(entry.getAttributeValue(settings.usernameAttribute()));
            }
            DnLookup.Match match = lookup.find(login);
            if (!match.references().isEmpty()) {
                throw new BackendUnavailableException("ldap: the search for '" + login + "' returned continuation references ("
                    + match.referenceUrls() + "); referrals are not followed");
            }
            if (match.entries().size() != 1) {
                if (match.entries().size() > 1 || match.truncated()) {
                    LOGGER.warn("ldap: login '{}' matches several entries ({}); treated as unknown", LogSafe.of(login), match.dns());
                }
                return Optional.empty();
            }
            return Optional.ofNullable(match.entries().get(0).getAttributeValue(settings.usernameAttribute()));
        } catch (LDAPException e) {
            throw new BackendUnavailableException("ldap: lookup failed: " + e.getResultCode(), e);
        }
    }

    @Override
    public List<String> list() throws BackendUnavailableException {
        ensureOpen();
        try {
            return lookup.usernames();
        } catch (LDAPException e) {
            throw new BackendUnavailableException("ldap: listing users failed: " + e.getResultCode(), e);
        }
    }

    private void ensureOpen() throws BackendUnavailableException {
        if (closed.get()) {
            throw new BackendUnavailableException("ldap verifier is closed");
        }
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true) && connections != null) {
            connections.close();
        }
    }
}
