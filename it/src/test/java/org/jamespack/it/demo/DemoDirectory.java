package org.jamespack.it.demo;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;

import com.unboundid.ldap.listener.Base64PasswordEncoderOutputFormatter;
import com.unboundid.ldap.listener.InMemoryDirectoryServer;
import com.unboundid.ldap.listener.InMemoryDirectoryServerConfig;
import com.unboundid.ldap.listener.InMemoryListenerConfig;
import com.unboundid.ldap.listener.SaltedMessageDigestInMemoryPasswordEncoder;

/**
 * The demo's directory: UnboundID's in-memory server on 127.0.0.1 with the three demo users
 * (a cleartext password, an {@code {SSHA}} one, a disabled account). UnboundID verifies
 * {@code {SSHA}} values on bind, as OpenLDAP does.
 *
 * <p>Not thread-safe: started and stopped by the demo's main thread.
 */
final class DemoDirectory implements AutoCloseable {

    static final String BASE = "dc=example,dc=org";

    private final InMemoryDirectoryServer server;

    private DemoDirectory(InMemoryDirectoryServer server) {
        this.server = server;
    }

    static DemoDirectory start() throws Exception {
        InMemoryDirectoryServerConfig config = new InMemoryDirectoryServerConfig(BASE);
        config.setListenerConfigs(InMemoryListenerConfig.createLDAPConfig("ldap", InetAddress.getLoopbackAddress(), 0, null));
        // qmail-ldap's accountStatus is not in UnboundID's default schema
        config.setSchema(null);
        config.setPasswordEncoders(null, new SaltedMessageDigestInMemoryPasswordEncoder("{SSHA}", Base64PasswordEncoderOutputFormatter.getInstance(),
            MessageDigest.getInstance("SHA-1"), 8, true, true));
        InMemoryDirectoryServer server = new InMemoryDirectoryServer(config);
        server.add("dn: " + BASE, "objectClass: top", "objectClass: domain", "dc: example");
        server.add("dn: ou=people," + BASE, "objectClass: top", "objectClass: organizationalUnit", "ou: people");
        add(server, "alice", "alice-secret", "active");
        add(server, "bob", ssha("bob-secret"), "active");
        add(server, "carol", "carol-secret", "disabled");
        server.startListening();
        return new DemoDirectory(server);
    }

    private static void add(InMemoryDirectoryServer server, String uid, String password, String status) throws Exception {
        server.add("dn: uid=" + uid + ",ou=people," + BASE,
            "objectClass: top", "objectClass: inetOrgPerson", "objectClass: qmailUser",
            "uid: " + uid, "cn: " + uid, "sn: " + uid, "mail: " + uid + "@example.org",
            "accountStatus: " + status, "userPassword: " + password);
    }

    /** {@code {SSHA}} as slappasswd makes it: base64(SHA-1(password + salt) + salt). */
    static String ssha(String password) throws Exception {
        byte[] salt = new byte[8];
        new SecureRandom().nextBytes(salt);
        MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
        sha1.update(password.getBytes(StandardCharsets.UTF_8));
        sha1.update(salt);
        byte[] digest = sha1.digest();
        byte[] both = new byte[digest.length + salt.length];
        System.arraycopy(digest, 0, both, 0, digest.length);
        System.arraycopy(salt, 0, both, digest.length, salt.length);
        return "{SSHA}" + Base64.getEncoder().encodeToString(both);
    }

    String url() {
        return "ldap://127.0.0.1:" + server.getListenPort();
    }

    @Override
    public void close() {
        server.shutDown(true);
    }
}
