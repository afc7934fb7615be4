package org.jamespack.auth.ldap;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import org.jamespack.auth.hash.HashLimits;
import org.jamespack.auth.hash.PasswordHashes;
import org.jamespack.foundation.Secret;
import org.jamespack.foundation.config.ConfigNode;

import net.jcip.annotations.Immutable;
import net.jcip.annotations.NotThreadSafe;

/**
 * The settings of one {@link LdapVerifier}, validated when built ({@link LdapSettingsRules}): from
 * an {@code <ldap>} element with {@link #from(ConfigNode)}, in code with {@link #builder()}. The
 * keys and defaults are listed in the {@code package-info} table and in {@link #KEYS}.
 *
 * <p>Immutable and thread-safe. The two passwords are {@link Secret}s, so printing the record
 * prints no secret.
 *
 * @param urls                     {@code ldap://} or {@code ldaps://} URLs, tried in order (failover)
 * @param startTls                 send StartTLS on {@code ldap://} connections before anything else
 * @param trustStore               PKCS12 or JKS file of trusted CAs; empty means the JVM's default trust
 * @param trustStorePassword       its password, if it has one
 * @param trustStoreType           {@code PKCS12} or {@code JKS}
 * @param connectTimeout           time-out of a TCP (and TLS) connect
 * @param responseTimeout          time-out of every LDAP operation
 * @param baseDn                   where users are searched
 * @param bindDn                   the service account; empty means anonymous searches
 * @param bindPassword             its password
 * @param mode                     how a password is checked
 * @param dnTemplate               rebind without a search: {@code uid={login},ou=people,dc=example,dc=org}
 * @param loginAttributes          attributes a login may match, any of them ({@code uid}, {@code mail})
 * @param usernameAttribute        the attribute whose value is the user's canonical name
 * @param objectClass              an object class the entry must have, ANDed to the search
 * @param filter                   an extra filter, ANDed to the search
 * @param passwordAttribute        the attribute holding the password ({@code compare} modes)
 * @param poolSize                 most connections in each of the two pools
 * @param maxFailoverConnectionAge how long a connection to a non-first server lives before the
 *                                 pool tries the first again
 * @param healthCheckInterval      how often idle pooled connections are checked
 * @param passwordPolicyControl    send the ppolicy request control on user binds
 * @param hashLimits               the most work one stored password value may ask of the compare mode
 * @param dummyHash                the stored value an unknown user's password is checked against in
 *                                 compare mode, so that an unknown user costs what a known one does;
 *                                 from the configuration, never from a stored value
 * @param dnCacheTtl               rebind mode with a search: how long a login's DN found by a search
 *                                 is bound directly, without searching again; zero turns the DN cache off
 * @param dnCacheSize              the most logins the DN cache holds
 * @param mailHostAttribute        the attribute naming the host that holds the user's mailbox
 *                                 (qmail-ldap {@code mailHost}); read only when {@code localHosts} is set
 * @param localHosts               this server's names: a mailbox whose host is not one of them lives
 *                                 elsewhere and the ACCEPTED verdict names that host; empty turns
 *                                 the check off (the attribute is not even read)
 */
@Immutable
public record LdapSettings(
    List<String> urls,
    boolean startTls,
    Optional<Path> trustStore,
    Optional<Secret> trustStorePassword,
    String trustStoreType,
    Duration connectTimeout,
    Duration responseTimeout,
    String baseDn,
    Optional<String> bindDn,
    Optional<Secret> bindPassword,
    Mode mode,
    Optional<String> dnTemplate,
    List<String> loginAttributes,
    String usernameAttribute,
    Optional<String> objectClass,
    Optional<String> filter,
    String passwordAttribute,
    int poolSize,
    Duration maxFailoverConnectionAge,
    Duration healthCheckInterval,
    boolean passwordPolicyControl,
    HashLimits hashLimits,
    String dummyHash,
    Duration dnCacheTtl,
    int dnCacheSize,
    String mailHostAttribute,
    List<String> localHosts) {

    public static final String URL = "url";
    public static final String START_TLS = "startTls";
    public static final String TRUST_STORE = "trustStore";
    public static final String TRUST_STORE_PASSWORD = "trustStorePassword";
    public static final String TRUST_STORE_TYPE = "trustStoreType";
    public static final String CONNECT_TIMEOUT = "connectTimeout";
    public static final String RESPONSE_TIMEOUT = "responseTimeout";
    public static final String BASE_DN = "baseDn";
    public static final String BIND_DN = "bindDn";
    public static final String BIND_PASSWORD = "bindPassword";
    public static final String MODE = "mode";
    public static final String DN_TEMPLATE = "dnTemplate";
    public static final String LOGIN_ATTRIBUTE = "loginAttribute";
    public static final String USERNAME_ATTRIBUTE = "usernameAttribute";
    public static final String OBJECT_CLASS = "objectClass";
    public static final String FILTER = "filter";
    public static final String PASSWORD_ATTRIBUTE = "passwordAttribute";
    public static final String POOL_SIZE = "poolSize";
    public static final String MAX_FAILOVER_CONNECTION_AGE = "maxFailoverConnectionAge";
    public static final String HEALTH_CHECK_INTERVAL = "healthCheckInterval";
    public static final String PASSWORD_POLICY_CONTROL = "passwordPolicyControl";
    public static final String MAX_BCRYPT_COST = "maxBcryptCost";
    public static final String MAX_SHA_CRYPT_ROUNDS = "maxShaCryptRounds";
    public static final String MAX_PBKDF2_ITERATIONS = "maxPbkdf2Iterations";
    public static final String MAX_PBKDF2_LENGTH = "maxPbkdf2Length";
    public static final String MAX_ARGON2_MEMORY = "maxArgon2Memory";
    public static final String MAX_ARGON2_ITERATIONS = "maxArgon2Iterations";
    public static final String MAX_ARGON2_PARALLELISM = "maxArgon2Parallelism";
    public static final String DUMMY_HASH = "dummyHash";
    public static final String DN_CACHE_TTL = "dnCacheTtl";
    public static final String DN_CACHE_SIZE = "dnCacheSize";
    public static final String MAIL_HOST_ATTRIBUTE = "mailHostAttribute";
    public static final String LOCAL_HOSTS = "localHosts";

    /** Every key {@link #from(ConfigNode)} reads, in the order of the package-info table. */
    public static final List<String> KEYS = List.of(URL, START_TLS, TRUST_STORE, TRUST_STORE_PASSWORD, TRUST_STORE_TYPE,
        CONNECT_TIMEOUT, RESPONSE_TIMEOUT, BASE_DN, BIND_DN, BIND_PASSWORD, MODE, DN_TEMPLATE, LOGIN_ATTRIBUTE,
        USERNAME_ATTRIBUTE, OBJECT_CLASS, FILTER, PASSWORD_ATTRIBUTE, POOL_SIZE, MAX_FAILOVER_CONNECTION_AGE,
        HEALTH_CHECK_INTERVAL, PASSWORD_POLICY_CONTROL, MAX_BCRYPT_COST, MAX_SHA_CRYPT_ROUNDS, MAX_PBKDF2_ITERATIONS,
        MAX_PBKDF2_LENGTH, MAX_ARGON2_MEMORY, MAX_ARGON2_ITERATIONS, MAX_ARGON2_PARALLELISM, DUMMY_HASH,
        DN_CACHE_TTL, DN_CACHE_SIZE, MAIL_HOST_ATTRIBUTE, LOCAL_HOSTS);

    /** The placeholder of {@link #dnTemplate}, replaced by the RDN-escaped login. */
    public static final String LOGIN_PLACEHOLDER = "{login}";

    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);
    /**
     * Short: a change of the entry's {@code accountStatus}, or of the login attributes that map a
     * login to it, is seen this late at most (the bind itself always asks the directory).
     */
    public static final Duration DEFAULT_DN_CACHE_TTL = Duration.ofSeconds(60);
    public static final int DEFAULT_DN_CACHE_SIZE = 10_000;
    /** qmail-ldap's attribute for the host that holds the mailbox. */
    public static final String DEFAULT_MAIL_HOST_ATTRIBUTE = "mailHost";
    public static final int DEFAULT_POOL_SIZE = 8;
    public static final Duration DEFAULT_MAX_FAILOVER_CONNECTION_AGE = Duration.ofMinutes(5);
    public static final Duration DEFAULT_HEALTH_CHECK_INTERVAL = Duration.ofSeconds(30);
    /** The shortest time-out or interval: any positive one. */
    private static final Duration POSITIVE = Duration.ofMillis(1);

    /** How a password is checked, after the entry is found. */
    public enum Mode {
        /** Bind as the user's DN with the password (the directory checks it). */
        REBIND("rebind"),
        /** Read the password attribute with the service account and verify the hash here. */
        COMPARE("compare"),
        /**
         * Ask the directory with an LDAP Compare operation. Works only where the server compares
         * the presented value with what it stores: cleartext values, or servers that verify
         * hashed values on Compare (UnboundID's in-memory server does; OpenLDAP compares the
         * stored bytes, so a hashed {@code userPassword} never matches).
         */
        COMPARE_OPERATION("compare-operation");

        private final String configName;

        Mode(String configName) {
            this.configName = configName;
        }

        public String configName() {
            return configName;
        }
    }

    public LdapSettings {
        Objects.requireNonNull(trustStore, "trustStore");
        Objects.requireNonNull(trustStorePassword, "trustStorePassword");
        Objects.requireNonNull(bindDn, "bindDn");
        Objects.requireNonNull(bindPassword, "bindPassword");
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(dnTemplate, "dnTemplate");
        Objects.requireNonNull(objectClass, "objectClass");
        Objects.requireNonNull(filter, "filter");
        urls = List.copyOf(urls);
        loginAttributes = List.copyOf(loginAttributes);
        Objects.requireNonNull(hashLimits, "hashLimits");
        Objects.requireNonNull(dummyHash, "dummyHash");
        Objects.requireNonNull(mailHostAttribute, "mailHostAttribute");
        localHosts = List.copyOf(localHosts);
        List<String> problems = LdapSettingsRules.validate(urls, startTls, trustStoreType, connectTimeout, responseTimeout,
            baseDn, bindDn, bindPassword, mode, dnTemplate, loginAttributes, usernameAttribute, filter, passwordAttribute,
            poolSize, maxFailoverConnectionAge, healthCheckInterval);
        LdapSettingsRules.dummyHashProblem(dummyHash, hashLimits).ifPresent(problems::add);
        problems.addAll(LdapSettingsRules.dnCacheProblems(dnCacheTtl, dnCacheSize));
        problems.addAll(LdapSettingsRules.mailHostProblems(mailHostAttribute, localHosts));
        if (!problems.isEmpty()) {
            throw new LdapSettingsRules.Invalid(problems);
        }
    }

    /**
     * The settings of an {@code <ldap>} element, empty when a problem was recorded; every problem
     * is recorded on {@code node.problems()} with its file, line and key. The attributes {@code name}
     * and {@code control} belong to the chain loader and are not read here.
     */
    public static Optional<LdapSettings> from(ConfigNode node) {
        int before = node.problems().list().size();
        Builder b = builder();
        node.list(URL).forEach(b::url);
        b.startTls(node.bool(START_TLS, false));
        Optional<Path> trustStore = node.string(TRUST_STORE).map(Path::of);
        b.trustStore = trustStore;
        b.trustStorePassword = node.secret(TRUST_STORE_PASSWORD);
        b.trustStoreType = node.string(TRUST_STORE_TYPE, "PKCS12");
        b.connectTimeout(node.duration(CONNECT_TIMEOUT, DEFAULT_TIMEOUT, POSITIVE));
        b.responseTimeout(node.duration(RESPONSE_TIMEOUT, DEFAULT_TIMEOUT, POSITIVE));
        String baseDn = node.requiredString(BASE_DN);
        b.baseDn(baseDn);
        b.bindDn = node.string(BIND_DN);
        b.bindPassword = node.secret(BIND_PASSWORD);
        b.mode(node.choice(MODE, Mode.REBIND, Map.of(
            Mode.REBIND.configName(), Mode.REBIND,
            Mode.COMPARE.configName(), Mode.COMPARE,
            Mode.COMPARE_OPERATION.configName(), Mode.COMPARE_OPERATION)));
        node.string(DN_TEMPLATE).ifPresent(b::dnTemplate);
        List<String> loginAttributes = node.list(LOGIN_ATTRIBUTE);
        if (!loginAttributes.isEmpty()) {
            b.loginAttributes(loginAttributes.toArray(new String[0]));
        }
        node.string(USERNAME_ATTRIBUTE).ifPresent(b::usernameAttribute);
        node.string(OBJECT_CLASS).ifPresent(b::objectClass);
        node.string(FILTER).ifPresent(b::filter);
        b.passwordAttribute(node.string(PASSWORD_ATTRIBUTE, "userPassword"));
        b.poolSize(node.integer(POOL_SIZE, DEFAULT_POOL_SIZE, 1, 1000));
        b.maxFailoverConnectionAge(node.duration(MAX_FAILOVER_CONNECTION_AGE, DEFAULT_MAX_FAILOVER_CONNECTION_AGE, POSITIVE));
        b.healthCheckInterval(node.duration(HEALTH_CHECK_INTERVAL, DEFAULT_HEALTH_CHECK_INTERVAL, POSITIVE));
        b.passwordPolicyControl(node.bool(PASSWORD_POLICY_CONTROL, true));
        HashLimits d = HashLimits.DEFAULTS;
        b.hashLimits(new HashLimits(
            node.integer(MAX_BCRYPT_COST, d.maxBcryptCost(), 4, 31),
            node.integer(MAX_SHA_CRYPT_ROUNDS, d.maxShaCryptRounds(), 1_000, 999_999_999),
            node.integer(MAX_PBKDF2_ITERATIONS, d.maxPbkdf2Iterations(), 1, Integer.MAX_VALUE),
            node.integer(MAX_PBKDF2_LENGTH, d.maxPbkdf2Length(), 1, 1 << 16),
            node.integer(MAX_ARGON2_MEMORY, d.maxArgon2Memory(), 8, 1 << 24),
            node.integer(MAX_ARGON2_ITERATIONS, d.maxArgon2Iterations(), 1, 1 << 16),
            node.integer(MAX_ARGON2_PARALLELISM, d.maxArgon2Parallelism(), 1, 255)));
        b.dummyHash(node.string(DUMMY_HASH, PasswordHashes.DUMMY_STORED_VALUE));
        b.dnCacheTtl(node.duration(DN_CACHE_TTL, DEFAULT_DN_CACHE_TTL));
        b.dnCacheSize(node.integer(DN_CACHE_SIZE, DEFAULT_DN_CACHE_SIZE, 1, 10_000_000));
        b.mailHostAttribute(node.string(MAIL_HOST_ATTRIBUTE, DEFAULT_MAIL_HOST_ATTRIBUTE));
        b.localHosts(node.list(LOCAL_HOSTS).toArray(new String[0]));
        if (trustStore.isPresent() && !trustStore.get().toFile().canRead()) {
            node.problem(TRUST_STORE, "'" + trustStore.get() + "' cannot be read");
        }
        LdapSettings settings = null;
        try {
            settings = b.build();
        } catch (LdapSettingsRules.Invalid e) {
            for (String problem : e.problems()) {
                int colon = problem.indexOf(':');
                String key = problem.substring(0, colon);
                // a missing baseDn was reported as required already
                if (!(key.equals(BASE_DN) && baseDn.isEmpty())) {
                    node.problem(key, problem.substring(colon + 2));
                }
            }
        }
        return node.problems().list().size() > before ? Optional.empty() : Optional.ofNullable(settings);
    }

    /** Whether the entry's mail host is read and compared with {@link #localHosts}: only when some are named. */
    public boolean mailHostEnabled() {
        return !localHosts.isEmpty();
    }

    /** Whether a login's DN is cached (see {@link #dnCacheTtl}): rebind mode binds it, compare mode reads the entry there. */
    public boolean dnCacheEnabled() {
        return (mode == Mode.REBIND || mode == Mode.COMPARE) && dnTemplate.isEmpty() && !dnCacheTtl.isZero();
    }

    /** A builder with the documented defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding these settings, to build a variant of them. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.urls.addAll(urls);
        b.startTls = startTls;
        b.trustStore = trustStore;
        b.trustStorePassword = trustStorePassword;
        b.trustStoreType = trustStoreType;
        b.connectTimeout = connectTimeout;
        b.responseTimeout = responseTimeout;
        b.baseDn = baseDn;
        b.bindDn = bindDn;
        b.bindPassword = bindPassword;
        b.mode = mode;
        b.dnTemplate = dnTemplate;
        b.loginAttributes = loginAttributes;
        b.usernameAttribute = Optional.of(usernameAttribute);
        b.objectClass = objectClass;
        b.filter = filter;
        b.passwordAttribute = passwordAttribute;
        b.poolSize = poolSize;
        b.maxFailoverConnectionAge = maxFailoverConnectionAge;
        b.healthCheckInterval = healthCheckInterval;
        b.passwordPolicyControl = passwordPolicyControl;
        b.hashLimits = hashLimits;
        b.dummyHash = dummyHash;
        b.dnCacheTtl = dnCacheTtl;
        b.dnCacheSize = dnCacheSize;
        b.mailHostAttribute = mailHostAttribute;
        b.localHosts = localHosts;
        return b;
    }

    /**
     * Builds {@link LdapSettings} with the documented defaults.
     *
     * <p>Not thread-safe: one builder per thread.
     */
    @NotThreadSafe
    public static final class Builder {
        private final List<String> urls = new ArrayList<>();
        private boolean startTls;
        private Optional<Path> trustStore = Optional.empty();
        private Optional<Secret> trustStorePassword = Optional.empty();
        private String trustStoreType = "PKCS12";
        private Duration connectTimeout = DEFAULT_TIMEOUT;
        private Duration responseTimeout = DEFAULT_TIMEOUT;
        private String baseDn = "";
        private Optional<String> bindDn = Optional.empty();
        private Optional<Secret> bindPassword = Optional.empty();
        private Mode mode = Mode.REBIND;
        private Optional<String> dnTemplate = Optional.empty();
        private List<String> loginAttributes = List.of("uid");
        private Optional<String> usernameAttribute = Optional.empty();
        private Optional<String> objectClass = Optional.empty();
        private Optional<String> filter = Optional.empty();
        private String passwordAttribute = "userPassword";
        private int poolSize = DEFAULT_POOL_SIZE;
        private Duration maxFailoverConnectionAge = DEFAULT_MAX_FAILOVER_CONNECTION_AGE;
        private Duration healthCheckInterval = DEFAULT_HEALTH_CHECK_INTERVAL;
        private boolean passwordPolicyControl = true;
        private HashLimits hashLimits = HashLimits.DEFAULTS;
        private String dummyHash = PasswordHashes.DUMMY_STORED_VALUE;
        private Duration dnCacheTtl = DEFAULT_DN_CACHE_TTL;
        private int dnCacheSize = DEFAULT_DN_CACHE_SIZE;
        private String mailHostAttribute = DEFAULT_MAIL_HOST_ATTRIBUTE;
        private List<String> localHosts = List.of();

        private Builder() {
        }

        public Builder mailHostAttribute(String value) {
            mailHostAttribute = value;
            return this;
        }

        /** This server's names, as an entry's mail host may give them; none turns the mail host check off. */
        public Builder localHosts(String... values) {
            localHosts = List.of(values);
            return this;
        }

        public Builder hashLimits(HashLimits value) {
            hashLimits = value;
            return this;
        }

        /** How long a searched DN is bound directly; {@link Duration#ZERO} turns the DN cache off. */
        public Builder dnCacheTtl(Duration value) {
            dnCacheTtl = value;
            return this;
        }

        public Builder dnCacheSize(int value) {
            dnCacheSize = value;
            return this;
        }

        public Builder dummyHash(String value) {
            dummyHash = value;
            return this;
        }

        public Builder url(String url) {
            urls.add(url);
            return this;
        }

        public Builder startTls(boolean value) {
            startTls = value;
            return this;
        }

        public Builder trustStore(Path path, String type, Optional<Secret> password) {
            trustStore = Optional.of(path);
            trustStoreType = type;
            trustStorePassword = password;
            return this;
        }

        public Builder connectTimeout(Duration value) {
            connectTimeout = value;
            return this;
        }

        public Builder responseTimeout(Duration value) {
            responseTimeout = value;
            return this;
        }

        public Builder baseDn(String value) {
            baseDn = value;
            return this;
        }

        /** The service account; without it searches are anonymous. */
        public Builder bind(String dn, Secret password) {
            bindDn = Optional.of(dn);
            bindPassword = Optional.of(password);
            return this;
        }

        public Builder mode(Mode value) {
            mode = value;
            return this;
        }

        public Builder dnTemplate(String value) {
            dnTemplate = Optional.of(value);
            return this;
        }

        public Builder loginAttributes(String... values) {
            loginAttributes = List.of(values);
            return this;
        }

        public Builder usernameAttribute(String value) {
            usernameAttribute = Optional.of(value);
            return this;
        }

        public Builder objectClass(String value) {
            objectClass = Optional.of(value);
            return this;
        }

        public Builder filter(String value) {
            filter = Optional.of(value);
            return this;
        }

        public Builder passwordAttribute(String value) {
            passwordAttribute = value;
            return this;
        }

        public Builder poolSize(int value) {
            poolSize = value;
            return this;
        }

        public Builder maxFailoverConnectionAge(Duration value) {
            maxFailoverConnectionAge = value;
            return this;
        }

        public Builder healthCheckInterval(Duration value) {
            healthCheckInterval = value;
            return this;
        }

        public Builder passwordPolicyControl(boolean value) {
            passwordPolicyControl = value;
            return this;
        }

        /** The settings; throws {@link IllegalArgumentException} naming every bad key. */
        public LdapSettings build() {
            return new LdapSettings(urls, startTls, trustStore, trustStorePassword, trustStoreType.toUpperCase(Locale.ROOT),
                connectTimeout, responseTimeout, baseDn, bindDn, bindPassword, mode, dnTemplate, loginAttributes,
                usernameAttribute.orElse(loginAttributes.isEmpty() ? "uid" : loginAttributes.get(0)), objectClass, filter,
                passwordAttribute, poolSize, maxFailoverConnectionAge, healthCheckInterval, passwordPolicyControl, hashLimits,
                dummyHash, dnCacheTtl, dnCacheSize, mailHostAttribute, localHosts);
        }
    }
}
