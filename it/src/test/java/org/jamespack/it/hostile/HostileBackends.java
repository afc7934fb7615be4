package org.jamespack.it.hostile;

import java.io.IOException;
import java.io.UncheckedIOException;

import org.jamespack.auth.pack.BackendFactories;
import org.jamespack.auth.kopano.standin.KopanoStandIn;
import org.jamespack.auth.ldap.InMemoryLdap;

import net.jcip.annotations.Immutable;

/**
 * The backends of the hostile-input suite and of the reliability tests, filled with the
 * corpus's fixture users, and the {@code usersrepository.xml} text that points James at them.
 *
 * <p>Stateless and thread-safe.
 */
@Immutable
final class HostileBackends {

    private HostileBackends() {
    }

    /** The pack's own backend table, as the launcher uses it. */
    static BackendFactories factories() {
        return BackendFactories.standard();
    }

    /** An in-memory directory with alice, bob and carol ({SSHA}, so rebind and compare both work). */
    static InMemoryLdap ldapWithUsers() {
        InMemoryLdap ldap = InMemoryLdap.start();
        addUsers(ldap);
        return ldap;
    }

    static void addUsers(InMemoryLdap ldap) {
        ldap.addSshaUser("alice", HostileCorpus.ALICE, HostileCorpus.ALICE_PASSWORD);
        ldap.addSshaUser("bob", HostileCorpus.BOB, HostileCorpus.BOB_PASSWORD);
        ldap.addSshaUser("carol", HostileCorpus.CAROL, HostileCorpus.CAROL_PASSWORD);
    }

    /** A Kopano stand-in with the same three users and no feature disabled. */
    static KopanoStandIn kopanoWithUsers() {
        try {
            KopanoStandIn kopano = KopanoStandIn.start();
            kopano.serverDisabledFeatures();
            kopano.addUser(HostileCorpus.ALICE, HostileCorpus.ALICE_PASSWORD);
            kopano.addUser(HostileCorpus.BOB, HostileCorpus.BOB_PASSWORD);
            kopano.addUser(HostileCorpus.CAROL, HostileCorpus.CAROL_PASSWORD);
            return kopano;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** An {@code <ldap>} element: login by mail, the service account, 2 s time-outs. */
    static String ldapElement(String urls, String mode, String extra) {
        return "    <ldap url=\"" + urls + "\" baseDn=\"" + InMemoryLdap.BASE_DN + "\" bindDn=\"" + InMemoryLdap.SERVICE_DN
            + "\" bindPassword=\"" + InMemoryLdap.SERVICE_PASSWORD + "\" mode=\"" + mode
            + "\" loginAttribute=\"mail\" usernameAttribute=\"mail\" connectTimeout=\"2s\" responseTimeout=\"2s\" " + extra + "/>\n";
    }

    static String kopanoElement(KopanoStandIn kopano, String extra) {
        return "    <kopano url=\"" + kopano.url() + "\" connectTimeout=\"2s\" responseTimeout=\"2s\" " + extra + "/>\n";
    }

    /** The whole {@code usersrepository.xml} around the given backend and wrapper elements. */
    static String usersRepository(String mode, String... elements) {
        return "<usersrepository name=\"LocalUsers\">\n"
            + "  <enableVirtualHosting>true</enableVirtualHosting>\n"
            + "  <authpack mode=\"" + mode + "\">\n"
            + String.join("", elements)
            + "  </authpack>\n"
            + "</usersrepository>\n";
    }
}
