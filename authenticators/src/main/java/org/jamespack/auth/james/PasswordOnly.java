package org.jamespack.auth.james;

import java.util.Optional;

import org.apache.james.core.Username;
import org.apache.james.user.api.UsersRepository;
import org.apache.james.user.api.UsersRepositoryException;
import org.jamespack.auth.LoginAttempt;
import org.jamespack.auth.Verdict;
import org.jamespack.auth.throttle.Judgement;
import org.jamespack.auth.pack.AuthPack;

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

    /** The verdict, the failure delay slept out on this thread (mailbox authenticator). */
    static Verdict check(AuthPack pack, UsersRepository users, Username user, LoginAttempt attempt) {
        return refusedUnknown(pack, users, user, attempt).orElseGet(() -> pack.verify(attempt));
    }

    /** The verdict at once, with the failure delay the caller owes (SMTP hook). */
    static Judgement judge(AuthPack pack, UsersRepository users, Username user, LoginAttempt attempt) {
        return refusedUnknown(pack, users, user, attempt).map(Judgement::undelayed).orElseGet(() -> pack.judge(attempt));
    }

    private static Optional<Verdict> refusedUnknown(AuthPack pack, UsersRepository users, Username user, LoginAttempt attempt) {
        boolean known;
        try {
            known = users.contains(user);
        } catch (UsersRepositoryException | RuntimeException e) {
            // Username.of and James' repositories throw for names they cannot hold: treat as unknown
            // only when the name itself is bad; a repository failure is an outage
            if (e instanceof UsersRepositoryException) {
                Verdict v = Verdict.unavailable(Verdict.Reason.SERVER_ERROR, "James users repository failed", e);
                pack.audit(attempt, v, 0);
                return Optional.of(v);
            }
            known = false;
        }
        if (!known) {
            Verdict v = Verdict.rejected(Verdict.Reason.INVALID_CREDENTIALS, "not a James user");
            pack.audit(attempt, v, 0);
            return Optional.of(v);
        }
        return Optional.empty();
    }
}
