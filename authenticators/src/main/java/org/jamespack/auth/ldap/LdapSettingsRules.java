package org.jamespack.auth.ldap;

import static org.jamespack.auth.ldap.LdapSettings.BASE_DN;
import static org.jamespack.auth.ldap.LdapSettings.BIND_DN;
import static org.jamespack.auth.ldap.LdapSettings.BIND_PASSWORD;
import static org.jamespack.auth.ldap.LdapSettings.CONNECT_TIMEOUT;
import static org.jamespack.auth.ldap.LdapSettings.DN_CACHE_SIZE;
import static org.jamespack.auth.ldap.LdapSettings.DN_CACHE_TTL;
import static org.jamespack.auth.ldap.LdapSettings.DN_TEMPLATE;
import static org.jamespack.auth.ldap.LdapSettings.DUMMY_HASH;
import static org.jamespack.auth.ldap.LdapSettings.FILTER;
import static org.jamespack.auth.ldap.LdapSettings.HEALTH_CHECK_INTERVAL;
import static org.jamespack.auth.ldap.LdapSettings.LOCAL_HOSTS;
import static org.jamespack.auth.ldap.LdapSettings.LOGIN_ATTRIBUTE;
import static org.jamespack.auth.ldap.LdapSettings.LOGIN_PLACEHOLDER;
import static org.jamespack.auth.ldap.LdapSettings.MAIL_HOST_ATTRIBUTE;
import static org.jamespack.auth.ldap.LdapSettings.MAX_FAILOVER_CONNECTION_AGE;
import static org.jamespack.auth.ldap.LdapSettings.PASSWORD_ATTRIBUTE;
import static org.jamespack.auth.ldap.LdapSettings.POOL_SIZE;
import static org.jamespack.auth.ldap.LdapSettings.RESPONSE_TIMEOUT;
import static org.jamespack.auth.ldap.LdapSettings.START_TLS;
import static org.jamespack.auth.ldap.LdapSettings.TRUST_STORE_TYPE;
import static org.jamespack.auth.ldap.LdapSettings.URL;
import static org.jamespack.auth.ldap.LdapSettings.USERNAME_ATTRIBUTE;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

import org.jamespack.auth.Verdict;
import org.jamespack.auth.hash.HashCheck;
import org.jamespack.auth.hash.HashLimits;
import org.jamespack.auth.hash.PasswordHashes;
import org.jamespack.foundation.Secret;

import com.unboundid.ldap.sdk.DN;
import com.unboundid.ldap.sdk.Filter;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.LDAPURL;

import net.jcip.annotations.Immutable;

/**
 * The rules {@link LdapSettings} are checked against when built: each problem is a text that
 * starts with its key ({@code "poolSize: 0 is out of range 1..1000"}), so that a configuration
 * reader can name the file and line of that key.
 *
 * <p>Immutable and thread-safe: static functions only.
 */
@Immutable
final class LdapSettingsRules {

    private LdapSettingsRules() {
    }

    /** Every problem of a set of settings, all reported at once: the message joins them, {@link #problems()} lists them. */
    static final class Invalid extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;
        private final transient List<String> problems;

        Invalid(List<String> problems) {
            super(String.join("; ", problems));
            this.problems = List.copyOf(problems);
        }

        /** The problems, each {@code "key: what"}. */
        List<String> problems() {
            return problems;
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

    /** What is wrong with the mail host settings; each problem names its key. */
    static List<String> mailHostProblems(String mailHostAttribute, List<String> localHosts) {
        List<String> problems = new ArrayList<>();
        attributeName(problems, MAIL_HOST_ATTRIBUTE, mailHostAttribute);
        for (String host : localHosts) {
            if (!Verdict.isHostName(MailHostRule.normalize(host))) {
                problems.add(LOCAL_HOSTS + ": '" + host + "' is not a host name (letters, digits, '-' and '.')");
            }
        }
        return problems;
    }

    /** Checks the values together; each problem names its key. Used by the constructor. */
    static List<String> validate(List<String> urls, boolean startTls, String trustStoreType, Duration connectTimeout,
                                 Duration responseTimeout, String baseDn, Optional<String> bindDn, Optional<Secret> bindPassword,
                                 LdapSettings.Mode mode, Optional<String> dnTemplate, List<String> loginAttributes, String usernameAttribute,
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
            if (mode != LdapSettings.Mode.REBIND) {
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

    /**
     * A time-out or interval of zero or less. In a configuration file {@link
     * org.jamespack.foundation.config.ConfigNode#duration(String, Duration, Duration)} reports it first.
     */
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
}
