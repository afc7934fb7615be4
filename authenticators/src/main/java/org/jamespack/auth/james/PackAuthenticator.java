package org.jamespack.auth.james;

import javax.inject.Inject;

import org.apache.james.core.Username;
import org.apache.james.mailbox.Authenticator;
import org.apache.james.mailbox.exception.MailboxException;
import org.apache.james.user.api.UsersRepository;
import org.jamespack.auth.LoginAttempt;
import org.jamespack.auth.Verdict;
import org.jamespack.auth.pack.AuthPack;

import net.jcip.annotations.ThreadSafe;

/**
 * James' mailbox authenticator in password-only mode (IMAP LOGIN/AUTHENTICATE, POP3 PASS, JMAP
 * and WebAdmin basic logins): James' own users repository still says who exists, the pack's
 * verifier says whether the password is right.
 *
 * <p>Thread-safe: holds only thread-safe collaborators.
 *
 * <p>The protocol is found on the caller's stack ({@link CallerProtocol}), because James 3.8.1
 * passes only a name and a password. Delegation ("log in as another user") is James'
 * {@code Authorizator}'s business, not this interface's: 3.8.1's {@code Authenticator} has the
 * single method {@code isAuthentic}, so nothing else needs overriding.
 *
 * <p>The throttle's failure delay is slept out here (bounded by its {@code maxConcurrentDelays}),
 * because James 3.8.1 gives an {@code Authenticator} no handle on the connection to hold back.
 * Its callers in James 3.8.1: IMAP LOGIN runs on James' {@code blocking-call-wrapper-*} pool, so the sleep
 * holds up only that login; POP3 PASS runs on the POP3 server's Netty I/O thread
 * ({@code pop3server-io-*}), so a sleep there would also hold up the POP3 connections that
 * thread serves: {@link PackPop3PassHandler} asks the pack itself without sleeping and then
 * opens the mailbox pre-authenticated, so POP3 reaches this class only without that handler.
 * The SMTP hook, which can reach its connection, does not sleep either: see {@link PackAuthHook}.
 */
@ThreadSafe
public final class PackAuthenticator implements Authenticator {

    private final AuthPack pack;
    private final UsersRepository users;

    @Inject
    public PackAuthenticator(AuthPack pack, UsersRepository users) {
        this.pack = pack;
        this.users = users;
    }

    @Override
    public boolean isAuthentic(Username userid, CharSequence passwd) throws MailboxException {
        LoginAttempt attempt = PackUsersRepository.attempt(userid.asString(), passwd);
        Verdict verdict = PasswordOnly.check(pack, users, userid, attempt);
        switch (verdict.state()) {
            case ACCEPTED:
                return true;
            case UNAVAILABLE:
                // IMAP then answers "NO LOGIN processing failed", POP3 "-ERR Unexpected error": temporary
                throw new MailboxException("authentication backend unavailable: " + verdict.reason());
            default:
                return false;
        }
    }
}
