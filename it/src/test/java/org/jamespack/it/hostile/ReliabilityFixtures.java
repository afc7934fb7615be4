package org.jamespack.it.hostile;

import org.jamespack.auth.james.BackendFactories;
import org.jamespack.auth.kopano.standin.KopanoStandIn;
import org.jamespack.auth.ldap.InMemoryLdap;

import net.jcip.annotations.Immutable;

/**
 * The fixtures of the hostile-input suite, public for the reliability tests of the sibling
 * package: one set of users, one way to write {@code usersrepository.xml}.
 *
 * <p>Stateless and thread-safe.
 */
@Immutable
public final class ReliabilityFixtures {

    private ReliabilityFixtures() {
    }

    public static BackendFactories factories() {
        return HostileBackends.factories();
    }

    /** A directory holding alice, bob and carol. */
    public static InMemoryLdap ldapWithAlice() {
        return HostileBackends.ldapWithUsers();
    }

    /** Adds alice, bob and carol to a directory (e.g. the second of a failover pair). */
    public static void addUsers(InMemoryLdap ldap) {
        HostileBackends.addUsers(ldap);
    }

    public static KopanoStandIn kopanoWithAlice() {
        return HostileBackends.kopanoWithUsers();
    }

    public static String ldapElement(String urls, String mode, String extra) {
        return HostileBackends.ldapElement(urls, mode, extra);
    }

    public static String usersRepository(String mode, String... elements) {
        return HostileBackends.usersRepository(mode, elements);
    }
}
