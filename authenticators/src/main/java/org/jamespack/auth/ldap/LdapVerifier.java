package org.jamespack.auth.ldap;

import java.io.File;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.net.SocketFactory;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;

import org.jamespack.auth.BackendUnavailableException;
import org.jamespack.auth.CredentialVerifier;
import org.jamespack.auth.InputGuard;
import org.jamespack.auth.LogSafe;
import org.jamespack.auth.LoginAttempt;
import org.jamespack.auth.Protocol;
import org.jamespack.foundation.Secret;
import org.jamespack.auth.UserDirectory;
import org.jamespack.auth.Verdict;
import org.jamespack.auth.Verdict.Reason;
import org.jamespack.foundation.config.ConfigNode;
import org.jamespack.auth.hash.HashCheck;
import org.jamespack.auth.hash.HashLimits;
import org.jamespack.auth.hash.PasswordHashes;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.github.benmanes.caffeine.cache.Ticker;
import com.unboundid.ldap.sdk.Attribute;
import com.unboundid.ldap.sdk.BindRequest;
import com.unboundid.ldap.sdk.CompareRequest;
import com.unboundid.ldap.sdk.CompareResult;
import com.unboundid.ldap.sdk.Control;
import com.unboundid.ldap.sdk.DN;
import com.unboundid.ldap.sdk.DereferencePolicy;
import com.unboundid.ldap.sdk.FailoverServerSet;
import com.unboundid.ldap.sdk.Filter;
import com.unboundid.ldap.sdk.GetEntryLDAPConnectionPoolHealthCheck;
import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.LDAPConnectionOptions;
import com.unboundid.ldap.sdk.LDAPConnectionPool;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.LDAPResult;
import com.unboundid.ldap.sdk.LDAPSearchException;
import com.unboundid.ldap.sdk.LDAPURL;
import com.unboundid.ldap.sdk.OperationType;
import com.unboundid.ldap.sdk.PostConnectProcessor;
import com.unboundid.ldap.sdk.RDN;
import com.unboundid.ldap.sdk.ResultCode;
import com.unboundid.ldap.sdk.SearchRequest;
import com.unboundid.ldap.sdk.SearchResult;
import com.unboundid.ldap.sdk.SearchResultEntry;
import com.unboundid.ldap.sdk.SearchResultReference;
import com.unboundid.ldap.sdk.SearchScope;
import com.unboundid.ldap.sdk.SimpleBindRequest;
import com.unboundid.ldap.sdk.StartTLSPostConnectProcessor;
import com.unboundid.ldap.sdk.experimental.DraftBeheraLDAPPasswordPolicy10ErrorType;
import com.unboundid.ldap.sdk.experimental.DraftBeheraLDAPPasswordPolicy10RequestControl;
import com.unboundid.ldap.sdk.experimental.DraftBeheraLDAPPasswordPolicy10ResponseControl;
import com.unboundid.ldap.sdk.experimental.DraftBeheraLDAPPasswordPolicy10WarningType;
import com.unboundid.util.ssl.HostNameSSLSocketVerifier;
import com.unboundid.util.ssl.JVMDefaultTrustManager;
import com.unboundid.util.ssl.SSLSocketVerifier;
import com.unboundid.util.ssl.SSLUtil;
import com.unboundid.util.ssl.TrustStoreTrustManager;

import net.jcip.annotations.ThreadSafe;

/**
 * Checks logins against an LDAP directory in one of qmail-ldap {@code auth_pop}'s two ways,
 * rebind or compare (see {@link LdapSettings.Mode}), and lists the directory's users.
 *
 * <p>Thread-safe: all state is two connection pools, the DN cache and immutable settings. Two pools, so a
 * search connection is never left bound as a user: the <em>search pool</em> is bound as the
 * service account (or anonymous) and does searches, reads and Compare operations; the
 * <em>bind pool</em> only ever carries user binds, whatever identity its connections were
 * last bound as. That costs one bind per login, where bind-and-revert (James' own LDAP
 * repository) costs two. In rebind mode a thread-safe login-to-DN cache ({@link DnCache},
 * {@code dnCacheTtl}) saves the search too: a seen login binds its cached DN at once, and a bind
 * refused with invalidCredentials or noSuchObject is followed by one search before the answer, so
 * a moved or renamed entry is bound where it now lives rather than called a wrong password.
 *
 * <p>Outcomes: wrong password or unknown user is REJECTED (an unknown user costs a dummy
 * bind or a dummy hash, so it takes as long); several matching entries is REJECTED with
 * {@link Reason#AMBIGUOUS_LOGIN}; qmail-ldap {@code accountStatus}, 389-DS {@code nsAccountLock},
 * result 53, ppolicy locks and AD sub-codes {@code data 525/530/531/532/533/701/773/775} give
 * DISABLED; outage, time-out, TLS failure and any result code that is not about the
 * credentials give UNAVAILABLE. Decided by result code (and the ppolicy control), not by text,
 * except AD's sub-code, which AD sends only in the diagnostic text. Referrals are never
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

    static final String ACCOUNT_STATUS = "accountStatus";
    static final String NS_ACCOUNT_LOCK = "nsAccountLock";
    private static final Set<String> DISABLED_STATUSES = Set.of("disabled", "noaccess", "deleted");
    /** AD's sub-codes in the diagnostic of a 49 (MS-ADTS 3.1.1.3.1.9, as Spring Security reads them). */
    private static final Pattern AD_SUB_CODE = Pattern.compile("data ([0-9a-fA-F]{3,4})");
    /** The RDN value of the DN bound when the login matches no entry: it exists nowhere. */
    private static final String DUMMY_RDN = "cn=jamespack-no-such-user-5b0f";

    private final LdapSettings settings;
    // null only in the inert verifier fromConfig returns after a configuration problem
    private final @Nullable LDAPConnectionPool searchPool;
    private final @Nullable LDAPConnectionPool bindPool;
    private final String[] searchAttributes;
    private final Optional<DN> dummyDn;
    /** The dnTemplate's RDN attribute and parent DN, parsed once: per login only the RDN is built. */
    private final @Nullable String templateAttribute;
    private final @Nullable DN templateParent;
    private final AtomicBoolean closed = new AtomicBoolean();
    /** Rebind mode's login-to-DN cache; null when off (compare modes, dnTemplate, dnCacheTtl 0). */
    private final @Nullable DnCache dnCache;

    private LdapVerifier(LdapSettings settings, @Nullable LDAPConnectionPool searchPool, @Nullable LDAPConnectionPool bindPool,
                         Ticker ticker) {
        this.settings = settings;
        this.dnCache = settings.dnCacheEnabled()
            ? new DnCache(settings.dnCacheTtl(), settings.dnCacheSize(), settings.usernameAttribute(), ticker)
            : null;
        this.searchPool = searchPool;
        this.bindPool = bindPool;
        Set<String> attributes = new LinkedHashSet<>();
        attributes.add(settings.usernameAttribute());
        attributes.add(ACCOUNT_STATUS);
        attributes.add(NS_ACCOUNT_LOCK);
        if (settings.mode() == LdapSettings.Mode.COMPARE) {
            attributes.add(settings.passwordAttribute());
        }
        this.searchAttributes = attributes.toArray(new String[0]);
        Optional<DN> dummy;
        try {
            dummy = Optional.of(new DN(DUMMY_RDN + "," + settings.baseDn()));
        } catch (LDAPException e) {
            dummy = Optional.empty();
        }
        this.dummyDn = dummy;
        String attribute = null;
        DN parent = null;
        if (settings.dnTemplate().isPresent()) {
            // parsed here, not per login: templateParts runs a regular expression and two DN
            // parses, which showed as about a seventh of the client's CPU per dnTemplate login (JFR)
            String[] parts = LdapSettings.templateParts(settings.dnTemplate().get());
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
        LDAPConnectionOptions options = new LDAPConnectionOptions();
        options.setConnectTimeoutMillis((int) Math.min(Integer.MAX_VALUE, millis(settings.connectTimeout())));
        options.setResponseTimeoutMillis(millis(settings.responseTimeout()));
        options.setFollowReferrals(false);
        options.setAbandonOnTimeout(true);
        // the calling thread reads its own response: no reader thread per connection, no hand-off
        // (measured about 10% more logins per second; pooled connections never run operations concurrently)
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
        return new LdapVerifier(settings, search, bind, ticker);
    }

    /**
     * Reads the settings of an {@code <ldap>} element (keys in the package-info table); every
     * problem is recorded on {@code node.problems()} with its file and line. The attributes
     * {@code name} and {@code control} belong to the chain loader and are not read here; the
     * caller reports unread keys and throws ({@code reportUnread()}, {@code throwIfAny()}).
     * When a problem was recorded, the verifier returned is an inert, closed one that answers
     * UNAVAILABLE and never connects: the caller is expected to throw before using it.
     */
    public static LdapVerifier fromConfig(ConfigNode node) {
        Optional<LdapSettings> settings = settingsFromConfig(node);
        if (settings.isEmpty()) {
            LdapVerifier inert = new LdapVerifier(LdapSettings.builder().url("ldap://127.0.0.1:389").baseDn("dc=invalid").build(),
                null, null, Ticker.systemTicker());
            inert.closed.set(true);
            return inert;
        }
        return create(settings.get());
    }

    /** The settings of an {@code <ldap>} element, empty when a problem was recorded. */
    public static Optional<LdapSettings> settingsFromConfig(ConfigNode node) {
        int before = node.problems().list().size();
        List<String> urls = node.list(LdapSettings.URL);
        boolean startTls = node.bool(LdapSettings.START_TLS, false);
        Optional<java.nio.file.Path> trustStore = node.string(LdapSettings.TRUST_STORE).map(java.nio.file.Path::of);
        Optional<Secret> trustStorePassword = node.secret(LdapSettings.TRUST_STORE_PASSWORD);
        String trustStoreType = node.string(LdapSettings.TRUST_STORE_TYPE, "PKCS12").toUpperCase(Locale.ROOT);
        Duration connectTimeout = node.duration(LdapSettings.CONNECT_TIMEOUT, LdapSettings.DEFAULT_TIMEOUT);
        Duration responseTimeout = node.duration(LdapSettings.RESPONSE_TIMEOUT, LdapSettings.DEFAULT_TIMEOUT);
        String baseDn = node.requiredString(LdapSettings.BASE_DN);
        Optional<String> bindDn = node.string(LdapSettings.BIND_DN);
        Optional<Secret> bindPassword = node.secret(LdapSettings.BIND_PASSWORD);
        LdapSettings.Mode mode = node.choice(LdapSettings.MODE, LdapSettings.Mode.REBIND, Map.of(
            "rebind", LdapSettings.Mode.REBIND,
            "compare", LdapSettings.Mode.COMPARE,
            "compare-operation", LdapSettings.Mode.COMPARE_OPERATION));
        Optional<String> dnTemplate = node.string(LdapSettings.DN_TEMPLATE);
        List<String> loginAttributes = node.list(LdapSettings.LOGIN_ATTRIBUTE);
        if (loginAttributes.isEmpty()) {
            loginAttributes = List.of("uid");
        }
        String usernameAttribute = node.string(LdapSettings.USERNAME_ATTRIBUTE, loginAttributes.get(0));
        Optional<String> objectClass = node.string(LdapSettings.OBJECT_CLASS);
        Optional<String> filter = node.string(LdapSettings.FILTER);
        String passwordAttribute = node.string(LdapSettings.PASSWORD_ATTRIBUTE, "userPassword");
        int poolSize = node.integer(LdapSettings.POOL_SIZE, 8, 1, 1000);
        Duration failoverAge = node.duration(LdapSettings.MAX_FAILOVER_CONNECTION_AGE, Duration.ofMinutes(5));
        Duration healthCheck = node.duration(LdapSettings.HEALTH_CHECK_INTERVAL, Duration.ofSeconds(30));
        boolean ppolicy = node.bool(LdapSettings.PASSWORD_POLICY_CONTROL, true);
        HashLimits d = HashLimits.DEFAULTS;
        int bcrypt = node.integer(LdapSettings.MAX_BCRYPT_COST, d.maxBcryptCost(), 4, 31);
        int shaRounds = node.integer(LdapSettings.MAX_SHA_CRYPT_ROUNDS, d.maxShaCryptRounds(), 1_000, 999_999_999);
        int pbkdf2 = node.integer(LdapSettings.MAX_PBKDF2_ITERATIONS, d.maxPbkdf2Iterations(), 1, Integer.MAX_VALUE);
        int pbkdf2Length = node.integer(LdapSettings.MAX_PBKDF2_LENGTH, d.maxPbkdf2Length(), 1, 1 << 16);
        int argonMemory = node.integer(LdapSettings.MAX_ARGON2_MEMORY, d.maxArgon2Memory(), 8, 1 << 24);
        int argonIterations = node.integer(LdapSettings.MAX_ARGON2_ITERATIONS, d.maxArgon2Iterations(), 1, 1 << 16);
        int argonParallelism = node.integer(LdapSettings.MAX_ARGON2_PARALLELISM, d.maxArgon2Parallelism(), 1, 255);
        HashLimits limits = new HashLimits(bcrypt, shaRounds, pbkdf2, pbkdf2Length, argonMemory, argonIterations,
            argonParallelism);
        String dummyHash = node.string(LdapSettings.DUMMY_HASH, PasswordHashes.DUMMY_STORED_VALUE);
        Duration dnCacheTtl = node.duration(LdapSettings.DN_CACHE_TTL, LdapSettings.DEFAULT_DN_CACHE_TTL);
        int dnCacheSize = node.integer(LdapSettings.DN_CACHE_SIZE, LdapSettings.DEFAULT_DN_CACHE_SIZE, 1, 10_000_000);
        for (String problem : LdapSettings.dnCacheProblems(dnCacheTtl, dnCacheSize)) {
            int colon = problem.indexOf(':');
            node.problem(problem.substring(0, colon), problem.substring(colon + 2));
        }
        LdapSettings.dummyHashProblem(dummyHash, limits)
            .ifPresent(problem -> node.problem(LdapSettings.DUMMY_HASH, problem.substring(problem.indexOf(':') + 2)));

        List<String> invalid = LdapSettings.validate(urls, startTls, trustStoreType, connectTimeout, responseTimeout, baseDn,
            bindDn, bindPassword, mode, dnTemplate, loginAttributes, usernameAttribute, filter, passwordAttribute, poolSize,
            failoverAge, healthCheck);
        for (String problem : invalid) {
            int colon = problem.indexOf(':');
            String key = problem.substring(0, colon);
            if (!(key.equals(LdapSettings.BASE_DN) && baseDn.isEmpty())) {
                node.problem(key, problem.substring(colon + 2));
            }
        }
        if (trustStore.isPresent() && !trustStore.get().toFile().canRead()) {
            node.problem(LdapSettings.TRUST_STORE, "'" + trustStore.get() + "' cannot be read");
        }
        if (node.problems().list().size() > before) {
            return Optional.empty();
        }
        return Optional.of(new LdapSettings(urls, startTls, trustStore, trustStorePassword, trustStoreType, connectTimeout,
            responseTimeout, baseDn, bindDn, bindPassword, mode, dnTemplate, loginAttributes, usernameAttribute, objectClass,
            filter, passwordAttribute, poolSize, failoverAge, healthCheck, ppolicy, limits, dummyHash, dnCacheTtl, dnCacheSize));
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
            verdict = unavailable(e, "search");
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
            String dn = templateDn(attempt.login()).toString();
            Verdict bound = bindAsUser(dn, attempt.password());
            if (!bound.isAccepted()) {
                return bound;
            }
            SearchResultEntry entry = templateEntry(dn);
            if (entry == null && restricted()) {
                // the password is right for that DN, but the entry is outside the population the
                // operator configured: as unknown as a DN that does not exist
                LOGGER.debug("ldap: login '{}' bound as {}, which does not match {}; refused", attempt.login(), dn,
                    restrictionText());
                return Verdict.rejected(Reason.INVALID_CREDENTIALS, dn + " does not match " + restrictionText());
            }
            return accountState(entry, attempt.protocol(), dn).orElse(bound);
        }
        Verdict cachedRejection = null;
        String rejectedDn = null;
        long epoch = 0;
        if (dnCache != null) {
            SearchResultEntry cached = dnCache.get(attempt.login());
            if (cached != null) {
                Verdict bound = bindAsUser(cached.getDN(), attempt.password());
                if (bound.isAccepted()) {
                    return accountState(cached, attempt.protocol(), cached.getDN()).orElse(bound);
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
        Match match = find(attempt.login());
        if (dnCache != null && match.references.isEmpty() && match.entries.size() == 1 && !match.truncated) {
            dnCache.put(attempt.login(), match.entries.get(0), epoch);
        }
        if (rejectedDn != null && match.entries.size() == 1 && match.references.isEmpty()
            && sameDn(rejectedDn, match.entries.get(0).getDN())) {
            // the same entry refused this very password a moment ago: no second bind
            return cachedRejection;
        }
        if (!match.references.isEmpty()) {
            // the entry may live where the references point; referrals stay unfollowed, so the
            // directory could not answer: not a wrong password, and not a failed login to count
            return Verdict.unavailable(Reason.PROTOCOL_ERROR, "the search for the login returned " + match.references.size()
                + " continuation reference(s) (" + referenceUrls(match.references) + "); referrals are not followed: "
                + "point baseDn at the server and subtree that hold the users");
        }
        if (match.entries.size() != 1) {
            if (rejectedDn == null) {
                // a cached DN's bind was spent already: that is the unknown user's cost
                spendDummy(attempt.password());
            }
            if (match.entries.size() > 1 || match.truncated) {
                LOGGER.warn("ldap: login '{}' matches several entries ({}); refused", LogSafe.of(attempt.login()), dns(match.entries));
                return Verdict.rejected(Reason.AMBIGUOUS_LOGIN, "login matches several entries");
            }
            return Verdict.rejected();
        }
        SearchResultEntry entry = match.entries.get(0);
        Verdict checked;
        switch (settings.mode()) {
            case REBIND:
                checked = bindAsUser(entry.getDN(), attempt.password());
                break;
            case COMPARE:
                checked = compareLocally(entry, attempt.password());
                break;
            default:
                checked = compareOperation(entry.getDN(), attempt.password());
                break;
        }
        if (!checked.isAccepted()) {
            return checked;
        }
        return accountState(entry, attempt.protocol(), entry.getDN()).orElse(checked);
    }

    private static boolean sameDn(String a, String b) {
        try {
            return new DN(a).equals(new DN(b));
        } catch (LDAPException e) {
            return false;
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

    /** Logins the DN cache holds now; 0 when it is off. For tests and benchmarks. */
    long dnCacheSize() {
        return dnCache == null ? 0 : dnCache.size();
    }

    /** Whether {@code objectClass} or {@code filter} narrows who may log in. */
    private boolean restricted() {
        return settings.objectClass().isPresent() || settings.filter().isPresent();
    }

    private String restrictionText() {
        List<String> parts = new ArrayList<>();
        settings.objectClass().ifPresent(c -> parts.add("objectClass " + c));
        settings.filter().ifPresent(f -> parts.add("filter " + f));
        return String.join(" and ", parts);
    }

    /**
     * The entry at a templated DN, read with a base-scope search that carries {@code objectClass}
     * and {@code filter}: null when it does not exist, cannot be read, or does not match them.
     * The entry is read after every templated bind anyway (account state), so the restriction costs
     * no extra round trip.
     */
    private @Nullable SearchResultEntry templateEntry(String dn) throws LDAPException {
        if (!restricted()) {
            return searchPool.getEntry(dn, searchAttributes);
        }
        SearchRequest request = new SearchRequest(dn, SearchScope.BASE, DereferencePolicy.NEVER, 1,
            (int) Math.max(1L, settings.responseTimeout().toSeconds()), false,
            restrict(Filter.createPresenceFilter("objectClass")), searchAttributes);
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

    private DN templateDn(String login) {
        // RDN built from the value, never by pasting: ",", "+", "=" and "\" in a login stay data
        return new DN(new RDN(templateAttribute, login), templateParent);
    }

    /** The entries the login names; at most two are fetched, two meaning "ambiguous". */
    private Match find(String login) throws LDAPException {
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

    /** Binds on the bind pool; the connection is released whatever identity it now has. */
    private Verdict bindAsUser(String dn, Secret password) {
        byte[] pw = password.utf8();
        try {
            Control[] controls = settings.passwordPolicyControl()
                ? new Control[] {new DraftBeheraLDAPPasswordPolicy10RequestControl()}
                : new Control[0];
            SimpleBindRequest request = new SimpleBindRequest(dn, pw, controls);
            LDAPResult result = bindOnce(request, true);
            return afterBind(result, dn);
        } catch (LDAPException e) {
            return bindFailure(e, dn);
        } finally {
            Arrays.fill(pw, (byte) 0);
        }
    }

    private LDAPResult bindOnce(SimpleBindRequest request, boolean retry) throws LDAPException {
        LDAPConnection connection = bindPool.getConnection();
        try {
            LDAPResult result = connection.bind(request);
            bindPool.releaseConnection(connection);
            return result;
        } catch (LDAPException e) {
            if (e.getResultCode().isConnectionUsable()) {
                bindPool.releaseConnection(connection);
                throw e;
            }
            if (!retry || e.getResultCode() == ResultCode.TIMEOUT) {
                // a time-out is not a stale connection: the directory is working on this bind (a
                // costly stored hash, say) and a second try would only double the wait and its CPU
                bindPool.releaseDefunctConnection(connection);
                throw e;
            }
            // a pooled connection may have gone stale (directory restarted): one try on a new
            // connection, not on the next pooled one, which is likely stale too
            LDAPConnection fresh = bindPool.replaceDefunctConnection(connection);
            try {
                LDAPResult result = fresh.bind(request);
                bindPool.releaseConnection(fresh);
                return result;
            } catch (LDAPException again) {
                if (again.getResultCode().isConnectionUsable()) {
                    bindPool.releaseConnection(fresh);
                } else {
                    bindPool.releaseDefunctConnection(fresh);
                }
                throw again;
            }
        }
    }

    private Verdict afterBind(LDAPResult result, String dn) {
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

    private Verdict bindFailure(LDAPException e, String dn) {
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

    /** AD puts why a 49 happened in its text only: {@code ... data 533, v2580}. */
    private static Optional<Verdict> activeDirectory(String diagnostic, String dn) {
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

    private Verdict compareLocally(SearchResultEntry entry, Secret password) {
        Attribute attribute = entry.getAttribute(settings.passwordAttribute());
        if (attribute == null || attribute.size() == 0) {
            spendDummy(password);
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

    private Verdict compareOperation(String dn, Secret password) throws LDAPException {
        byte[] pw = password.utf8();
        CompareRequest request = new CompareRequest(dn, settings.passwordAttribute(), pw);
        try {
            CompareResult result = compareOnce(request);
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
     * A Compare on the search pool, retried once on a new connection when the pooled one broke
     * (the directory restarted), never after a time-out: the directory may be computing a costly
     * stored hash, as it does for a bind (see {@link #bindOnce}).
     */
    private CompareResult compareOnce(CompareRequest request) throws LDAPException {
        LDAPConnection connection = searchPool.getConnection();
        try {
            CompareResult result = connection.compare(request);
            searchPool.releaseConnection(connection);
            return result;
        } catch (LDAPException e) {
            if (e.getResultCode().isConnectionUsable()) {
                searchPool.releaseConnection(connection);
                throw e;
            }
            if (e.getResultCode() == ResultCode.TIMEOUT) {
                searchPool.releaseDefunctConnection(connection);
                throw e;
            }
            LDAPConnection fresh = searchPool.replaceDefunctConnection(connection);
            try {
                CompareResult result = fresh.compare(request);
                searchPool.releaseConnection(fresh);
                return result;
            } catch (LDAPException again) {
                if (again.getResultCode().isConnectionUsable()) {
                    searchPool.releaseConnection(fresh);
                } else {
                    searchPool.releaseDefunctConnection(fresh);
                }
                throw again;
            }
        }
    }

    /** DISABLED when the entry says so; the password is already known to be right. */
    private static Optional<Verdict> accountState(SearchResultEntry entry, Protocol protocol, String dn) {
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

    /** Makes an unknown login cost what a known one costs: a bind (rebind) or a hash (compare). */
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
                    searchPool.compare(new CompareRequest(dummyDn.map(DN::toString).orElse(settings.baseDn()),
                        settings.passwordAttribute(), password.utf8()));
                } catch (LDAPException e) {
                    LOGGER.trace("ldap: dummy compare: {}", e.getResultCode());
                }
                break;
        }
    }

    private static Verdict unavailable(LDAPException e, String operation) {
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

    @Override
    public Optional<String> lookup(String login) throws BackendUnavailableException {
        ensureOpen();
        if (login.isEmpty() || login.length() > InputGuard.MAX_LOGIN_LENGTH) {
            return Optional.empty();
        }
        try {
            if (settings.dnTemplate().isPresent() && settings.bindDn().isEmpty()) {
                SearchResultEntry entry = templateEntry(templateDn(login).toString());
                return entry == null ? Optional.empty() : Optional.ofNullable(entry.getAttributeValue(settings.usernameAttribute()));
            }
            Match match = find(login);
            if (!match.references.isEmpty()) {
                throw new BackendUnavailableException("ldap: the search for '" + login + "' returned continuation references ("
                    + referenceUrls(match.references) + "); referrals are not followed");
            }
            if (match.entries.size() != 1) {
                if (match.entries.size() > 1 || match.truncated) {
                    LOGGER.warn("ldap: login '{}' matches several entries ({}); treated as unknown", LogSafe.of(login), dns(match.entries));
                }
                return Optional.empty();
            }
            return Optional.ofNullable(match.entries.get(0).getAttributeValue(settings.usernameAttribute()));
        } catch (LDAPException e) {
            throw new BackendUnavailableException("ldap: lookup failed: " + e.getResultCode(), e);
        }
    }

    @Override
    public List<String> list() throws BackendUnavailableException {
        ensureOpen();
        try {
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
        if (closed.compareAndSet(false, true) && searchPool != null && bindPool != null) {
            searchPool.close();
            bindPool.close();
        }
    }

    private static String dns(List<SearchResultEntry> entries) {
        List<String> dns = new ArrayList<>();
        for (SearchResultEntry e : entries) {
            dns.add(e.getDN());
        }
        return String.join("; ", dns);
    }

    private static LDAPConnectionPool pool(FailoverServerSet servers, BindRequest bind, LdapSettings settings,
                                           PostConnectProcessor startTls, String name, Set<OperationType> retried) {
        try {
            // All connections up front, in parallel: a pool that starts with one and waits before it
            // grows stays at one under load (measured: the whole benchmark ran on one connection).
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
            // binds and Compares retry by hand (bindOnce, compareOnce), never after a time-out.
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

    private static List<SearchResultReference> references(@Nullable List<SearchResultReference> found) {
        return found == null ? List.of() : found;
    }

    /** The URLs of the references, cut to a few: they come from the directory and go into a log line. */
    private static String referenceUrls(List<SearchResultReference> references) {
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

    /**
     * The entries a search found; {@code truncated} when the size limit cut it short;
     * {@code references} are the search continuation references (RFC 4511 4.5.3), never followed.
     */
    private static final class Match {
        final List<SearchResultEntry> entries;
        final boolean truncated;
        final List<SearchResultReference> references;

        Match(List<SearchResultEntry> entries, boolean truncated, List<SearchResultReference> references) {
            this.entries = entries;
            this.truncated = truncated;
            this.references = references;
        }
    }
}
