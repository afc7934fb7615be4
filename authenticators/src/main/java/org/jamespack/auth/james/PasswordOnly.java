package org.jamespack.auth.james;

import org.apache.james.core.Username;
import org.apache.james.user.api.UsersRepository;
import org.apache.james.user.api.UsersRepositoryException;
import org.jamespack.auth.LoginAttempt;
import org.jamespack.auth.Verdict;

/**
 * The password-only check shared by the mailbox authenticator and the SMTP hook: a user James
 * does not know is REJECTED without asking the backend (James' repository says who exists);
 * a known one is checked by the pack's verifier.
 *
 * <p>Stateless and thread-safe.
 */
final class PasswordOnly {

    private PasswordOnly() {
    }

    static Verdict check(AuthPack pack, UsersRepository users, Username user, LoginAttempt attempt) {
        boolean known;
        try {
            known = users.contains(user);
        } catch (UsersRepositoryException | RuntimeException e) {
            // Username.of and James' repositories throw for names they cannot hold: treat as unknown
            // only when the name itself is bad; a repository failure is an outage
            if (e instanceof UsersRepositoryException) {
                Verdict v = Verdict.unavailable(Verdict.Reason.SERVER_ERROR, "James users repository failed", e);
                pack.audit(attempt, v, 0);
                return v;
            }
            known = false;
        }
        if (!known) {
            Verdict v = Verdict.rejected(Verdict.Reason.INVALID_CREDENTIALS, "not a James user");
            pack.audit(attempt, v, 0);
            return v;
        }
        return pack.verify(attempt);
    }
}
