package org.jamespack.relay.broker;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;

import jdk.net.UnixDomainPrincipal;
import net.jcip.annotations.Immutable;

/**
 * Who is on the other end of a broker connection, as the kernel reported it (Linux
 * {@code SO_PEERCRED}: the credentials of the process that called {@code connect}).
 * Immutable and thread-safe.
 *
 * <p>The JDK gives the peer as a {@link UserPrincipal} whose equality is by uid but whose uid has
 * no public accessor; its name is the passwd name, or the uid in digits when the uid has none.
 * For log lines only, the uid is taken from those digits or from {@code /etc/passwd}; a user
 * known only through NSS (LDAP, NIS) is logged without a uid. Decisions never use this number:
 * they compare principals (see {@link AccountPolicy}).
 *
 * @param user  the peer's effective user
 * @param group the name of the peer's effective group, for logs
 * @param uid   the peer's uid when it could be named for the log
 */
@Immutable
record PeerIdentity(UserPrincipal user, String group, OptionalLong uid) {

    private static final Path PASSWD = Path.of("/etc/passwd");

    PeerIdentity {
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(group, "group");
        Objects.requireNonNull(uid, "uid");
    }

    static PeerIdentity of(UnixDomainPrincipal principal) {
        UserPrincipal user = principal.user();
        return new PeerIdentity(user, principal.group().getName(), uidOf(user.getName(), PASSWD));
    }

    /** The uid for a name: the name itself when it is a number, else the third field of its passwd line. */
    static OptionalLong uidOf(String name, Path passwd) {
        if (name.matches("\\d{1,10}")) {
            return OptionalLong.of(Long.parseLong(name));
        }
        try {
            List<String> lines = Files.readAllLines(passwd, StandardCharsets.UTF_8);
            for (String line : lines) {
                String[] f = line.split(":", -1);
                if (f.length >= 3 && f[0].equals(name) && f[2].matches("\\d{1,10}")) {
                    return OptionalLong.of(Long.parseLong(f[2]));
                }
            }
        } catch (IOException e) {
            // the uid only decorates a log line; a missing passwd file must not refuse a peer
            return OptionalLong.empty();
        }
        return OptionalLong.empty();
    }

    /** {@code exim(uid=101,gid=Debian-exim)}, for log lines. */
    String describe() {
        return user.getName() + "(uid=" + (uid.isPresent() ? Long.toString(uid.getAsLong()) : "?") + ",group=" + group + ")";
    }
}
