package org.jamespack.auth;

import java.util.List;
import java.util.Optional;

/**
 * A backend that can say who exists, as well as check passwords: LDAP can, Kopano cannot.
 * Used by the pack's {@code UsersRepository} in directory mode.
 *
 * <p>Implementations are thread-safe. An outage is reported with
 * {@link BackendUnavailableException}, never as "no such user".
 */
public interface UserDirectory {

    /** The canonical login for {@code login} when the entry exists, e.g. {@code alice@example.org}. */
    Optional<String> lookup(String login) throws BackendUnavailableException;

    /** Every login the directory knows, in the canonical form {@link #lookup} returns. */
    List<String> list() throws BackendUnavailableException;

    /** The number of users, as {@link #list()} would count them. */
    default long count() throws BackendUnavailableException {
        return list().size();
    }
}
