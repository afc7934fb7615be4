package org.jamespack.it.bringup;

import java.net.InetAddress;
import java.net.ServerSocket;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import com.unboundid.ldap.listener.InMemoryDirectoryServer;
import com.unboundid.ldap.listener.InMemoryDirectoryServerConfig;
import com.unboundid.ldap.listener.InMemoryListenerConfig;

/**
 * Temporary: an UnboundID in-memory directory on a fixed loopback port (so that it can be
 * stopped and started again on the same port), until the LDAP fixture lands.
 *
 * <p>Not thread-safe.
 */
public final class BringUpLdap implements BeforeAllCallback, AfterAllCallback {

    public static final String BASE = "dc=example,dc=org";
    private InMemoryDirectoryServer server;
    private int port;

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        start();
    }

    public synchronized void start() throws Exception {
        if (server == null) {
            try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                port = s.getLocalPort();
            }
            InMemoryDirectoryServerConfig config = new InMemoryDirectoryServerConfig(BASE);
            config.setListenerConfigs(InMemoryListenerConfig.createLDAPConfig("ldap", InetAddress.getLoopbackAddress(), port, null));
            config.setSchema(null);
            server = new InMemoryDirectoryServer(config);
            server.add("dn: " + BASE, "objectClass: top", "objectClass: domain", "dc: example");
            server.add("dn: ou=people," + BASE, "objectClass: top", "objectClass: organizationalUnit", "ou: people");
            server.startListening();
        }
    }

    public void addUser(String uid, String mail, String password) throws Exception {
        server.add("dn: uid=" + uid + ",ou=people," + BASE, "objectClass: top", "objectClass: inetOrgPerson",
            "uid: " + uid, "cn: " + uid, "sn: " + uid, "mail: " + mail, "userPassword: " + password);
    }

    public void stop() {
        server.shutDown(true);
    }

    public void restart() throws Exception {
        server.startListening();
    }

    public int port() {
        return port;
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (server != null) {
            server.shutDown(true);
        }
    }
}
