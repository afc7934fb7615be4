package org.jamespack.it.hostile;

import java.util.regex.Pattern;

import org.jamespack.auth.pack.BackendFactories;
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

    /**
     * The throttle the brute-force tests attack: the documented defaults written out (2 s failure
     * delay, penalty after 3 failures, 2 s doubling to 15 s), so a change of defaults does not
     * silently change what those tests measure.
     */
    public static final String DEFAULT_THROTTLE =
        "    <throttle failureDelay=\"2s\" penaltyAfter=\"3\" penaltyInitial=\"2s\" penaltyMax=\"15s\"/>\n";

    private ReliabilityFixtures() {
    }

    /** An audit line of {@code protocol}: groups login, client, verdict, detail. */
    public static Pattern auditLine(String protocol) {
        return Pattern.compile(".*org\\.jamespack\\.auth\\.audit - login=(\\S+) protocol=" + protocol
            + " client=(\\S+) .*verdict=(\\S+) .*detail=(\\S+) ms=.*");
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
