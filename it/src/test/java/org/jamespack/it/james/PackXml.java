package org.jamespack.it.james;

import org.jamespack.auth.kopano.standin.KopanoStandIn;
import org.jamespack.auth.ldap.InMemoryLdap;

/**
 * The {@code usersrepository.xml} texts the end-to-end tests give James: the pack's
 * {@code <authpack>} element inside James' own repository settings.
 *
 * <p>Stateless and thread-safe.
 */
public final class PackXml {

    private PackXml() {
    }

    /** A whole {@code usersrepository.xml}: virtual hosting on, an administrator, the pack in {@code mode}. */
    public static String usersRepository(String mode, String... backends) {
        StringBuilder s = new StringBuilder("<?xml version=\"1.0\"?>\n<usersrepository name=\"LocalUsers\">\n"
            + "  <enableVirtualHosting>true</enableVirtualHosting>\n"
            + "  <administratorId>admin@example.org</administratorId>\n"
            + "  <authpack mode=\"" + mode + "\">\n");
        for (String b : backends) {
            s.append("    ").append(b).append('\n');
        }
        return s.append("  </authpack>\n</usersrepository>\n").toString();
    }

    /** An {@code <ldap>} backend for the in-memory directory; logins are mail addresses. */
    public static String ldap(InMemoryLdap ldap, String ldapMode, String moreAttributes) {
        return "<ldap name=\"ldap\" url=\"" + ldap.url() + "\" baseDn=\"" + InMemoryLdap.BASE_DN + "\""
            + " bindDn=\"" + InMemoryLdap.SERVICE_DN + "\" bindPassword=\"" + InMemoryLdap.SERVICE_PASSWORD + "\""
            + " mode=\"" + ldapMode + "\" loginAttribute=\"mail\" usernameAttribute=\"mail\""
            + " connectTimeout=\"1s\" responseTimeout=\"2s\" " + moreAttributes + "/>";
    }

    /** A {@code <kopano>} backend for the stand-in with {@code body} (service gates) inside. */
    public static String kopano(KopanoStandIn kopano, String moreAttributes, String body) {
        return "<kopano name=\"kopano\" url=\"" + kopano.url() + "\" connectTimeout=\"1s\" responseTimeout=\"2s\" "
            + moreAttributes + ">" + body + "</kopano>";
    }
}
