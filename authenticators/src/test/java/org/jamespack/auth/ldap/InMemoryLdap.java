package org.jamespack.auth.ldap;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

import org.jamespack.foundation.Secret;

import com.unboundid.ldap.listener.Base64PasswordEncoderOutputFormatter;
import com.unboundid.ldap.listener.InMemoryDirectoryServer;
import com.unboundid.ldap.listener.InMemoryDirectoryServerConfig;
import com.unboundid.ldap.listener.InMemoryListenerConfig;
import com.unboundid.ldap.listener.InMemoryPasswordEncoder;
import com.unboundid.ldap.sdk.Attribute;
import com.unboundid.ldap.sdk.Entry;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.Modification;
import com.unboundid.ldap.sdk.ReadOnlyEntry;
import com.unboundid.ldap.sdk.ResultCode;
import com.unboundid.ldap.sdk.schema.Schema;

import net.jcip.annotations.ThreadSafe;
import org.jamespack.testing.ReservedPort;
import org.jamespack.testing.TestPorts;

/**
 * An UnboundID in-memory directory on 127.0.0.1 with base {@code dc=example,dc=org},
 * {@code ou=people}, a service account and qmail-ldap's {@code accountStatus}, for tests, the
 * demo and the benchmarks.
 *
 * <p>Thread-safe as the in-memory server is, and its {@code {SSHA}} check is this class's own:
 * UnboundID's built-in one shares a digest across threads and rejects about 0.6% of right
 * passwords under 32 concurrent binds. Passwords are stored as
 * given (cleartext or any {@code {SCHEME}} value) or as {@code {SSHA}} made here; the server
 * verifies cleartext and {@code {SSHA}} on bind.
 */
@ThreadSafe
public final class InMemoryLdap implements AutoCloseable {

    public static final String BASE_DN = "dc=example,dc=org";
    public static final String PEOPLE_DN = "ou=people," + BASE_DN;
    public static final String SERVICE_DN = "cn=service," + BASE_DN;
    public static final String SERVICE_PASSWORD = "service-secret";

    /** qmail-ldap's attributes with its OIDs, so that schema checking stays on. */
    private static final String[] QMAIL_SCHEMA = {
        "dn: cn=schema",
        "objectClass: top",
        "objectClass: ldapSubentry",
        "objectClass: subschema",
        "attributeTypes: ( 1.3.6.1.4.1.7914.1.2.1.10 NAME 'accountStatus' EQUALITY caseIgnoreIA5Match"
            + " SYNTAX 1.3.6.1.4.1.1466.115.121.1.26 SINGLE-VALUE )",
        "attributeTypes: ( 1.3.6.1.4.1.7914.1.2.1.11 NAME 'mailHost' EQUALITY caseIgnoreIA5Match"
            + " SYNTAX 1.3.6.1.4.1.1466.115.121.1.26 SINGLE-VALUE )",
        "attributeTypes: ( 1.3.6.1.4.1.7914.1.2.1.12 NAME 'mailAlternateAddress' EQUALITY caseIgnoreIA5Match"
            + " SYNTAX 1.3.6.1.4.1.1466.115.121.1.26 )",
        "attributeTypes: ( 2.16.840.1.113730.3.1.315 NAME 'nsAccountLock' EQUALITY caseIgnoreMatch"
            + " SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 SINGLE-VALUE )",
        "objectClasses: ( 1.3.6.1.4.1.7914.1.2.2.1 NAME 'qmailUser' SUP top AUXILIARY"
            + " MAY ( accountStatus $ mailHost $ mailAlternateAddress $ nsAccountLock ) )",
    };

    private final InMemoryDirectoryServer server;
    private final ReservedPort port;
    private final BindCounter binds;

    private InMemoryLdap(InMemoryDirectoryServer server, ReservedPort port, BindCounter binds) {
        this.server = server;
        this.port = port;
        this.binds = binds;
    }

    /** Starts a directory on a free 127.0.0.1 port with the base, {@code ou=people} and the service account. */
    public static InMemoryLdap start() {
        return start(new com.unboundid.ldap.listener.interceptor.InMemoryOperationInterceptor[0]);
    }

    /** As {@link #start()}, with {@code extra} interceptors (e.g. one that drops connections). */
    public static InMemoryLdap start(com.unboundid.ldap.listener.interceptor.InMemoryOperationInterceptor... extra) {
        try {
            InMemoryDirectoryServerConfig config = new InMemoryDirectoryServerConfig(BASE_DN);
            config.setSchema(Schema.mergeSchemas(Schema.getDefaultStandardSchema(), new Schema(new Entry(QMAIL_SCHEMA))));
            // a reserved port, not 0: resume() must listen again on the same one
            ReservedPort port = TestPorts.reserve();
            config.setListenerConfigs(InMemoryListenerConfig.createLDAPConfig("ldap", InetAddress.getLoopbackAddress(), port.number(), null));
            // no primary encoder: values are stored as given; ours checks {SSHA}, cleartext is compared as is
            config.setPasswordEncoders(null, new ThreadSafeSshaEncoder());
            config.setEnforceSingleStructuralObjectClass(false);
            BindCounter binds = new BindCounter();
            config.addInMemoryOperationInterceptor(binds);
            for (com.unboundid.ldap.listener.interceptor.InMemoryOperationInterceptor i : extra) {
                config.addInMemoryOperationInterceptor(i);
            }
            // as a real directory would: without them every login search scans every entry
            config.setEqualityIndexAttributes("uid", "mail");
            InMemoryDirectoryServer server = new InMemoryDirectoryServer(config);
            server.add("dn: " + BASE_DN, "objectClass: top", "objectClass: domain", "dc: example");
            server.add("dn: " + PEOPLE_DN, "objectClass: top", "objectClass: organizationalUnit", "ou: people");
            server.add("dn: " + SERVICE_DN, "objectClass: top", "objectClass: person", "cn: service", "sn: service",
                "userPassword: " + SERVICE_PASSWORD);
            try {
                server.startListening();
            } catch (LDAPException e) {
                port.close();
                throw e;
            }
            return new InMemoryLdap(server, port, binds);
        } catch (LDAPException | com.unboundid.ldif.LDIFException e) {
            throw new IllegalStateException("in-memory directory did not start: " + e.getMessage(), e);
        }
    }

    public int port() {
        return port.number();
    }

    public String url() {
        return "ldap://127.0.0.1:" + port.number();
    }

    /** Simple binds received so far with {@code dn} (normalised), e.g. to see that a dummy bind happened. */
    public long bindsTo(String dn) {
        return binds.count(dn);
    }

    /** All simple binds received so far. */
    public long binds() {
        return binds.total.get();
    }

    /**
     * Searches received so far that asked for the {@code userPassword} attribute: in the compare
     * modes that read is the password check, so a test can count checks the way it counts binds.
     */
    public long passwordReads() {
        return binds.passwordReads.get();
    }

    /** The underlying server, for tests that need to look inside. */
    public InMemoryDirectoryServer server() {
        return server;
    }

    /** Settings that reach this directory with the service account; tests add the rest. */
    public org.jamespack.auth.ldap.LdapSettings.Builder settings() {
        return LdapSettings.builder().url(url()).baseDn(BASE_DN).bind(SERVICE_DN, Secret.of(SERVICE_PASSWORD))
            .connectTimeout(java.time.Duration.ofSeconds(2)).responseTimeout(java.time.Duration.ofSeconds(2));
    }

    /** Adds {@code uid=<uid>,ou=people} with the password stored as given (cleartext or {SCHEME}value). */
    public String addUser(String uid, String mail, String storedPassword) {
        return addUser(uid, mail, storedPassword, Optional.empty());
    }

    /** Adds a user whose password is stored as a fresh {@code {SSHA}} of {@code password}. */
    public String addSshaUser(String uid, String mail, String password) {
        return addUser(uid, mail, ssha(password), Optional.empty());
    }

    /** Adds a user; {@code accountStatus} is qmail-ldap's (active, nopop, disabled, ...) when present. */
    public String addUser(String uid, String mail, String storedPassword, Optional<String> accountStatus) {
        try {
            Entry entry = new Entry(new com.unboundid.ldap.sdk.DN(new com.unboundid.ldap.sdk.RDN("uid", uid),
                new com.unboundid.ldap.sdk.DN(PEOPLE_DN)));
            entry.addAttribute("objectClass", "top", "person", "organizationalPerson", "inetOrgPerson", "qmailUser");
            entry.addAttribute("uid", uid);
            entry.addAttribute("cn", uid);
            entry.addAttribute("sn", uid);
            entry.addAttribute("mail", mail);
            entry.addAttribute(new Attribute("userPassword", storedPassword.getBytes(StandardCharsets.UTF_8)));
            accountStatus.ifPresent(status -> entry.addAttribute("accountStatus", status));
            server.add(entry);
            return entry.getDN();
        } catch (LDAPException e) {
            throw new IllegalStateException("cannot add uid " + uid + ": " + e.getMessage(), e);
        }
    }

    /** Sets or replaces an attribute of an entry (e.g. accountStatus, nsAccountLock). */
    public void modify(String dn, String attribute, String... values) {
        try {
            server.modify(dn, new Modification(com.unboundid.ldap.sdk.ModificationType.REPLACE, attribute, values));
        } catch (LDAPException e) {
            throw new IllegalStateException("cannot modify " + dn + ": " + e.getMessage(), e);
        }
    }

    /** Stops listening (connections drop); {@link #resume()} listens again on the same port. */
    public void pause() {
        server.shutDown(true);
    }

    public void resume() {
        try {
            server.startListening();
        } catch (LDAPException e) {
            throw new IllegalStateException("cannot listen again on " + port.number() + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        server.shutDown(true);
        port.close();
    }

    /** A fresh {@code {SSHA}} value (8-byte random salt). */
    public static String ssha(String password) {
        byte[] salt = new byte[8];
        new SecureRandom().nextBytes(salt);
        byte[] digest = sha1(password.getBytes(StandardCharsets.UTF_8), salt);
        byte[] out = Arrays.copyOf(digest, digest.length + salt.length);
        System.arraycopy(salt, 0, out, digest.length, salt.length);
        return "{SSHA}" + Base64.getEncoder().encodeToString(out);
    }

    private static byte[] sha1(byte[] clear, byte[] salt) {
        try {
            // a new digest per call: the whole point of this encoder
            MessageDigest md = MessageDigest.getInstance("SHA-1");
            md.update(clear);
            md.update(salt);
            return md.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Counts simple binds per DN; thread-safe. */
    @ThreadSafe
    static final class BindCounter extends com.unboundid.ldap.listener.interceptor.InMemoryOperationInterceptor {
        private final java.util.concurrent.ConcurrentHashMap<String, java.util.concurrent.atomic.AtomicLong> perDn =
            new java.util.concurrent.ConcurrentHashMap<>();
        private final java.util.concurrent.atomic.AtomicLong total = new java.util.concurrent.atomic.AtomicLong();
        private final java.util.concurrent.atomic.AtomicLong passwordReads = new java.util.concurrent.atomic.AtomicLong();

        @Override
        public void processSearchRequest(com.unboundid.ldap.listener.interceptor.InMemoryInterceptedSearchRequest request) {
            for (String attribute : request.getRequest().getAttributeList()) {
                if (attribute.equalsIgnoreCase("userPassword")) {
                    passwordReads.incrementAndGet();
                    return;
                }
            }
        }

        @Override
        public void processSimpleBindRequest(com.unboundid.ldap.listener.interceptor.InMemoryInterceptedSimpleBindRequest request) {
            total.incrementAndGet();
            perDn.computeIfAbsent(normalize(request.getRequest().getBindDN()), k -> new java.util.concurrent.atomic.AtomicLong())
                .incrementAndGet();
        }

        long count(String dn) {
            java.util.concurrent.atomic.AtomicLong n = perDn.get(normalize(dn));
            return n == null ? 0 : n.get();
        }

        private static String normalize(String dn) {
            try {
                return new com.unboundid.ldap.sdk.DN(dn).toNormalizedString();
            } catch (LDAPException e) {
                return dn;
            }
        }
    }

    /** {@code {SSHA}} with a digest per call; UnboundID's shares one across threads. */
    @ThreadSafe
    static final class ThreadSafeSshaEncoder extends InMemoryPasswordEncoder {

        ThreadSafeSshaEncoder() {
            super("{SSHA}", Base64PasswordEncoderOutputFormatter.getInstance());
        }

        @Override
        protected byte[] encodePassword(byte[] clearPassword, ReadOnlyEntry userEntry, List<Modification> modifications) {
            String encoded = ssha(new String(clearPassword, StandardCharsets.UTF_8)).substring("{SSHA}".length());
            return Base64.getDecoder().decode(encoded);
        }

        @Override
        protected void ensurePreEncodedPasswordAppearsValid(byte[] unPrefixedUnFormattedEncodedPasswordBytes,
                                                            ReadOnlyEntry userEntry, List<Modification> modifications)
            throws LDAPException {
            if (unPrefixedUnFormattedEncodedPasswordBytes.length <= 20) {
                throw new LDAPException(ResultCode.CONSTRAINT_VIOLATION, "an {SSHA} value holds more than 20 bytes");
            }
        }

        @Override
        protected boolean passwordMatches(byte[] clearPasswordBytes, byte[] unPrefixedUnFormattedEncodedPasswordBytes,
                                          ReadOnlyEntry userEntry) {
            byte[] stored = unPrefixedUnFormattedEncodedPasswordBytes;
            if (stored.length <= 20) {
                return false;
            }
            byte[] salt = Arrays.copyOfRange(stored, 20, stored.length);
            return MessageDigest.isEqual(sha1(clearPasswordBytes, salt), Arrays.copyOf(stored, 20));
        }

        @Override
        protected byte[] extractClearPassword(byte[] unPrefixedUnFormattedEncodedPasswordBytes, ReadOnlyEntry userEntry)
            throws LDAPException {
            throw new LDAPException(ResultCode.NOT_SUPPORTED, "{SSHA} cannot be reversed");
        }

        @Override
        public void toString(StringBuilder buffer) {
            buffer.append("ThreadSafeSshaEncoder");
        }
    }

}
