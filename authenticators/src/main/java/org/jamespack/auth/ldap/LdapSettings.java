package org.jamespack.auth.ldap;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

import org.jamespack.foundation.Secret;
import org.jamespack.auth.hash.HashCheck;
import org.jamespack.auth.hash.HashLimits;
import org.jamespack.auth.hash.PasswordHashes;

import com.unboundid.ldap.sdk.DN;
import com.unboundid.ldap.sdk.Filter;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.LDAPURL;

import net.jcip.annotations.Immutable;
import net.jcip.annotations.NotThreadSafe;

/**
 * The settings of one {@link LdapVerifier}, validated when built; the keys and defaults are
 * listed in the {@code package-info} table and in {@link #KEYS}.
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
    int dnCacheSize) {

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

    /** Every key {@link LdapVerifier#fromConfig} reads, in the order of the package-info table. */
    public static final List<String> KEYS = List.of(URL, START_TLS, TRUST_STORE, TRUST_STORE_PASSWORD, TRUST_STORE_TYPE,
        CONNECT_TIMEOUT, RESPONSE_TIMEOUT, BASE_DN, BIND_DN, BIND_PASSWORD, MODE, DN_TEMPLATE, LOGIN_ATTRIBUTE,
        USERNAME_ATTRIBUTE, OBJECT_CLASS, FILTER, PASSWORD_ATTRIBUTE, POOL_SIZE, MAX_FAILOVER_CONNECTION_AGE,
        HEALTH_CHECK_INTERVAL, PASSWORD_POLICY_CONTROL, MAX_BCRYPT_COST, MAX_SHA_CRYPT_ROUNDS, MAX_PBKDF2_ITERATIONS,
        MAX_PBKDF2_LENGTH, MAX_ARGON2_MEMORY, MAX_ARGON2_ITERATIONS, MAX_ARGON2_PARALLELISM, DUMMY_HASH,
        DN_CACHE_TTL, DN_CACHE_SIZE);

    /** The placeholder of {@link #dnTemplate}, replaced by the RDN-escaped login. */
    public static final String LOGIN_PLACEHOLDER = "{login}";

    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);
    /**
     * Short: a change of the entry's {@code accountStatus}, or of the login attributes that map a
     * login to it, is seen this late at most (the bind itself always asks the directory).
     */
    public static final Duration DEFAULT_DN_CACHE_TTL = Duration.ofSeconds(60);
    public static final int DEFAULT_DN_CACHE_SIZE = 10_000;

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
        List<String> problems = validate(urls, startTls, trustStoreType, connectTimeout, responseTimeout, baseDn, bindDn,
            bindPassword, mode, dnTemplate, loginAttributes, usernameAttribute, filter, passwordAttribute, poolSize,
            maxFailoverConnectionAge, healthCheckInterval);
        Objects.requireNonNull(hashLimits, "hashLimits");
        Objects.requireNonNull(dummyHash, "dummyHash");
        dummyHashProblem(dummyHash, hashLimits).ifPresent(problems::add);
        problems.addAll(dnCacheProblems(dnCacheTtl, dnCacheSize));
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", problems));
        }
    }

    /**
     * Why {@code dummyHash} cannot serve as the unknown-user check: a scheme the pack cannot verify,
     * or a cost over {@code limits} (it would be refused uncomputed, and then cost nothing).
     */
    static Optional<String> dummyHashProblem(String dummyHash, HashLimits limits) {
        HashCheck check = PasswordHashes.check(dummyHash, Secret.of("jamespack-dummy"), limits);
        switch (check.outcome()) {
            case UNSUPPORTED:
                return Optional.of(DUMMY_HASH + ": scheme " + check.scheme() + " cannot be verified by the pack");
            case OVER_LIMIT:
                return Optional.of(DUMMY_HASH + ": " + check.scheme());
            default:
                return Optional.empty();
        }
    }

    /** What is wrong with the DN cache's settings; each problem names its key. */
    static List<String> dnCacheProblems(Duration dnCacheTtl, int dnCacheSize) {
        List<String> problems = new ArrayList<>();
        Objects.requireNonNull(dnCacheTtl, "dnCacheTtl");
        if (dnCacheTtl.isNegative()) {
            problems.add(DN_CACHE_TTL + ": must not be negative (0s turns the DN cache off)");
        }
        if (dnCacheSize < 1 || dnCacheSize > 10_000_000) {
            problems.add(DN_CACHE_SIZE + ": " + dnCacheSize + " is out of range 1..10000000");
        }
        return problems;
    }

    /** Whether rebind mode binds a cached DN before searching (see {@link #dnCacheTtl}). */
    public boolean dnCacheEnabled() {
        return mode == Mode.REBIND && dnTemplate.isEmpty() && !dnCacheTtl.isZero();
    }

    /** Checks the values together; each problem names its key. Used by the constructor and the XML reader. */
    static List<String> validate(List<String> urls, boolean startTls, String trustStoreType, Duration connectTimeout,
                                 Duration responseTimeout, String baseDn, Optional<String> bindDn, Optional<Secret> bindPassword,
                                 Mode mode, Optional<String> dnTemplate, List<String> loginAttributes, String usernameAttribute,
                                 Optional<String> filter, String passwordAttribute, int poolSize,
                                 Duration maxFailoverConnectionAge, Duration healthCheckInterval) {
        List<String> problems = new ArrayList<>();
        if (urls.isEmpty()) {
            problems.add(URL + ": at least one ldap:// or ldaps:// URL is required");
        }
        Boolean secure = null;
        for (String url : urls) {
            try {
                LDAPURL parsed = new LDAPURL(url);
                boolean ldaps = parsed.getScheme().equalsIgnoreCase("ldaps");
                if (!parsed.getScheme().equalsIgnoreCase("ldap") && !ldaps) {
                    problems.add(URL + ": '" + url + "' is neither ldap:// nor ldaps://");
                }
                if (!parsed.hostProvided()) {
                    problems.add(URL + ": '" + url + "' names no host");
                }
                if (secure != null && secure != ldaps) {
                    problems.add(URL + ": mixes ldap:// and ldaps:// URLs; use one scheme (with " + START_TLS + " for ldap://)");
                }
                secure = ldaps;
                if (ldaps && startTls) {
                    problems.add(START_TLS + ": cannot be used with ldaps:// URLs (they are TLS already)");
                }
            } catch (LDAPException e) {
                problems.add(URL + ": '" + url + "' is not an LDAP URL: " + e.getMessage());
            }
        }
        if (!trustStoreType.equalsIgnoreCase("PKCS12") && !trustStoreType.equalsIgnoreCase("JKS")) {
            problems.add(TRUST_STORE_TYPE + ": '" + trustStoreType + "' is neither PKCS12 nor JKS");
        }
        positive(problems, CONNECT_TIMEOUT, connectTimeout);
        positive(problems, RESPONSE_TIMEOUT, responseTimeout);
        positive(problems, MAX_FAILOVER_CONNECTION_AGE, maxFailoverConnectionAge);
        positive(problems, HEALTH_CHECK_INTERVAL, healthCheckInterval);
        if (!DN.isValidDN(baseDn) || baseDn.isBlank()) {
            problems.add(BASE_DN + ": '" + baseDn + "' is not a DN");
        }
        bindDn.ifPresent(dn -> {
            if (!DN.isValidDN(dn)) {
                problems.add(BIND_DN + ": '" + dn + "' is not a DN");
            }
        });
        if (bindDn.isPresent() != bindPassword.isPresent()) {
            problems.add(BIND_PASSWORD + ": " + BIND_DN + " and " + BIND_PASSWORD + " go together (both or neither)");
        }
        if (bindPassword.isPresent() && bindPassword.get().isEmpty()) {
            problems.add(BIND_PASSWORD + ": is empty (an empty password makes an unauthenticated bind)");
        }
        if (dnTemplate.isPresent()) {
            if (mode != Mode.REBIND) {
                problems.add(DN_TEMPLATE + ": only works with mode rebind (the compare modes must read the entry)");
            }
            try {
                templateParts(dnTemplate.get());
            } catch (IllegalArgumentException e) {
                problems.add(DN_TEMPLATE + ": " + e.getMessage());
            }
        }
        if (loginAttributes.isEmpty()) {
            problems.add(LOGIN_ATTRIBUTE + ": at least one attribute is required");
        }
        for (String a : loginAttributes) {
            attributeName(problems, LOGIN_ATTRIBUTE, a);
        }
        attributeName(problems, USERNAME_ATTRIBUTE, usernameAttribute);
        attributeName(problems, PASSWORD_ATTRIBUTE, passwordAttribute);
        filter.ifPresent(f -> {
            try {
                Filter.create(f);
            } catch (LDAPException e) {
                problems.add(FILTER + ": '" + f + "' is not an LDAP filter: " + e.getMessage());
            }
        });
        if (poolSize < 1 || poolSize > 1000) {
            problems.add(POOL_SIZE + ": " + poolSize + " is out of range 1..1000");
        }
        return problems;
    }

    private static void positive(List<String> problems, String key, Duration d) {
        if (d.isNegative() || d.isZero()) {
            problems.add(key + ": must be longer than zero (a time-out of zero would mean none)");
        }
    }

    private static void attributeName(List<String> problems, String key, String name) {
        if (!name.matches("[A-Za-z][A-Za-z0-9-]*|[0-9]+(\\.[0-9]+)+")) {
            problems.add(key + ": '" + name + "' is not an attribute name");
        }
    }

    /** Splits {@code uid={login},ou=people,dc=example,dc=org} into the RDN attribute and the parent DN. */
    static String[] templateParts(String template) {
        int eq = template.indexOf('=');
        String first = LOGIN_PLACEHOLDER + ",";
        if (eq < 1 || !template.startsWith(first, eq + 1)) {
            throw new IllegalArgumentException("'" + template + "' must look like uid={login},ou=people,dc=example,dc=org"
                + " ({login} as the whole value of the first RDN)");
        }
        String attribute = template.substring(0, eq).trim();
        String parent = template.substring(eq + 1 + first.length()).trim();
        if (!DN.isValidDN(parent) || parent.isEmpty() || parent.contains(LOGIN_PLACEHOLDER)) {
            throw new IllegalArgumentException("'" + parent + "' (after the first RDN) is not a DN");
        }
        if (!attribute.matches("[A-Za-z][A-Za-z0-9-]*")) {
            throw new IllegalArgumentException("'" + attribute + "' is not an attribute name");
        }
        return new String[] {attribute, parent};
    }

    public static Builder builder() {
        return new Builder();
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
        private int poolSize = 8;
        private Duration maxFailoverConnectionAge = Duration.ofMinutes(5);
        private Duration healthCheckInterval = Duration.ofSeconds(30);
        private boolean passwordPolicyControl = true;
        private HashLimits hashLimits = HashLimits.DEFAULTS;
        private String dummyHash = PasswordHashes.DUMMY_STORED_VALUE;
        private Duration dnCacheTtl = DEFAULT_DN_CACHE_TTL;
        private int dnCacheSize = DEFAULT_DN_CACHE_SIZE;

        private Builder() {
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
                dummyHash, dnCacheTtl, dnCacheSize);
        }
    }
}
