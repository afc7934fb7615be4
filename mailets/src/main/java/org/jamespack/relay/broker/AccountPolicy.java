package org.jamespack.relay.broker;

import java.nio.file.attribute.UserPrincipal;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

import net.jcip.annotations.Immutable;

/**
 * One account the broker serves and the local users allowed to ask for its token.
 * Immutable and thread-safe.
 *
 * <p>The allowed users are the JDK's own {@link UserPrincipal}s, looked up once through the
 * platform's {@code UserPrincipalLookupService} (NSS {@code getpwnam}, so LDAP or NIS users work
 * too; a number that names no user is taken as a uid). The JDK's Unix principals compare by
 * uid, so a peer is matched by uid, never by a name that two passwd entries could share.
 *
 * @param account  the account exactly as configured, also the {@code user=} of the answer
 * @param allowed  the local users (by uid) allowed to ask; never empty
 * @param location {@code file:line} of the configuration element, for messages
 */
@Immutable
public record AccountPolicy(String account, Set<UserPrincipal> allowed, String location) {

    public AccountPolicy {
        Objects.requireNonNull(account, "account");
        Objects.requireNonNull(location, "location");
        allowed = Set.copyOf(allowed);
        if (allowed.isEmpty()) {
            throw new IllegalArgumentException("account " + account + " allows nobody");
        }
    }

    /** Whether the peer (as the kernel reported it with SO_PEERCRED) may have this account's token. */
    public boolean allows(UserPrincipal peer) {
        return allowed.contains(peer);
    }

    /** The key requests are matched on: accounts are mail addresses, which providers treat case-insensitively. */
    String key() {
        return key(account);
    }

    static String key(String account) {
        return account.toLowerCase(Locale.ROOT);
    }
}
