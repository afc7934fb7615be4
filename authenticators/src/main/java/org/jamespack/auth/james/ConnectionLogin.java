package org.jamespack.auth.james;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Optional;

import org.apache.james.core.Username;
import org.apache.james.protocols.api.ProtocolSession;
import org.apache.james.protocols.api.ProtocolSessionImpl;
import org.apache.james.protocols.api.ProtocolTransport;
import org.apache.james.user.api.UsersRepository;
import org.jamespack.auth.LoginAttempt;
import org.jamespack.auth.Protocol;
import org.jamespack.auth.Verdict;
import org.jamespack.auth.pack.AuthPack;
import org.jamespack.auth.pack.PackMode;
import org.jamespack.auth.throttle.Judgement;
import org.jamespack.foundation.Secret;

import net.jcip.annotations.ThreadSafe;

/**
 * The one judge of a login on a connection James' protocol server lets the pack hold back: SMTP
 * AUTH ({@link PackAuthHook}) and POP3 PASS ({@link PackPop3PassHandler}) both run on Netty's I/O
 * thread, which must never sleep out a failure delay, since it serves many other connections.
 *
 * <p>The throttle's failure delay is paid by not reading from the failing client's connection
 * for that long (the pack's {@link org.jamespack.auth.pack.ConnectionPauses}): the failure
 * answer is written at once, the client's next command is read only when the delay ends.
 * James 3.8.1's {@link ProtocolTransport#setReadable} toggles the Netty channel's autoRead,
 * which is safe from any thread. A command read while its connection is paused was pipelined
 * before the failure answer: it is refused unchecked, with an audit line, else a pipelined batch
 * of guesses would escape the delay. In password-only mode a user James' repository does not
 * know is refused before the backend is asked.
 *
 * <p>Thread-safe: holds only the thread-safe pack and James' users repository.
 */
@ThreadSafe
final class ConnectionLogin {

    private static final Verdict PIPELINED = Verdict.rejected(Verdict.Reason.INVALID_CREDENTIALS,
        "throttled: sent inside the failure delay");

    private final AuthPack pack;
    private final UsersRepository users;

    ConnectionLogin(AuthPack pack, UsersRepository users) {
        this.pack = pack;
        this.users = users;
    }

    /** The verdict on {@code username} and {@code password} sent over {@code session}, its failure delay under way. */
    Verdict judge(ProtocolSession session, Username username, String password, Protocol protocol) {
        LoginAttempt attempt = new LoginAttempt(username.asString(), Secret.of(password), protocol, client(session));
        Optional<ProtocolTransport> transport = transport(session);
        if (transport.isPresent() && pack.pauses().paused(transport.get())) {
            // sent before the last failure's answer could be read: a pipelined guess, which the
            // failure delay allows no answer but "no" (Dovecot would not have read it yet)
            pack.audit(attempt, PIPELINED, 0);
            return PIPELINED;
        }
        Judgement judgement = pack.mode() == PackMode.PASSWORD_ONLY
            ? PasswordOnly.judge(pack, users, username, attempt)
            : pack.judge(attempt);
        Duration delay = judgement.delay();
        if (transport.isPresent()) {
            ProtocolTransport t = transport.get();
            // other users' logins on this I/O thread are not slowed: only this connection waits
            pack.pauses().pause(t, t::setReadable, delay);
        } else {
            // only for a session James never makes (no transport to hold back)
            pack.waitOut(delay);
        }
        return judgement.verdict();
    }

    private static Optional<ProtocolTransport> transport(ProtocolSession session) {
        return session instanceof ProtocolSessionImpl impl ? Optional.of(impl.getProtocolTransport()) : Optional.empty();
    }

    private static Optional<InetAddress> client(ProtocolSession session) {
        InetSocketAddress remote = session.getRemoteAddress();
        return remote == null ? Optional.empty() : Optional.ofNullable(remote.getAddress());
    }
}
