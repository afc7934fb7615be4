package org.jamespack.auth.james;

import javax.inject.Inject;

import org.apache.james.core.Username;
import org.apache.james.protocols.api.OidcSASLConfiguration;
import org.apache.james.protocols.smtp.SMTPSession;
import org.apache.james.protocols.smtp.hook.AuthHook;
import org.apache.james.protocols.smtp.hook.HookResult;
import org.apache.james.protocols.smtp.hook.HookReturnCode;
import org.apache.james.user.api.UsersRepository;
import org.jamespack.auth.Protocol;
import org.jamespack.auth.Verdict;
import org.jamespack.auth.pack.AuthPack;

import net.jcip.annotations.ThreadSafe;

/**
 * The SMTP AUTH hook for {@code smtpserver.xml}'s handler chain (put it before
 * {@code CoreCmdHandlerLoader}): ACCEPTED → 235 with the session's user set and relaying
 * allowed (as James' {@code UsersRepositoryAuthHook} does), REJECTED and DISABLED →
 * {@code 535 5.7.8}, UNAVAILABLE → {@code 454 4.7.0} (RFC 4954 section 6), which James' own hook
 * cannot say.
 *
 * <p>Thread-safe: set up once by James ({@link #init}) before the server accepts connections.
 *
 * <p>It asks the process's one pack ({@link PackExtensionModule} under James' own launcher).
 * PLAIN and LOGIN reach it through {@link PackSmtpAuthCmdHandler}, which parses them strictly;
 * James' own {@code AuthCmdHandler} still announces AUTH and handles OIDC. The decision is
 * {@link ConnectionLogin}'s, shared with POP3 PASS: in password-only mode a user James'
 * repository does not know is refused before the backend is asked. AuthHooks run on Netty's I/O
 * thread: the backend's time-outs bound how long a login can block it, and the throttle's
 * failure delay is paid by not reading from the failing client's connection for that long: the
 * 535 comes at once, the client's next command waits.
 */
@ThreadSafe
public final class PackAuthHook implements AuthHook {

    static final HookResult REJECTED = HookResult.builder()
        .hookReturnCode(HookReturnCode.deny())
        .smtpReturnCode("535")
        .smtpDescription("5.7.8 Authentication credentials invalid")
        .build();
    static final HookResult UNAVAILABLE = HookResult.builder()
        .hookReturnCode(HookReturnCode.denySoft())
        .smtpReturnCode("454")
        .smtpDescription("4.7.0 Temporary authentication failure")
        .build();

    private final ConnectionLogin login;

    /**
     * The pack comes from {@link PackExtensionModule} (James' own launcher) or from
     * {@link AuthPackModule}: it is required, so that a hook named in {@code smtpserver.xml}
     * without the pack fails James' start rather than answer with James' own passwords.
     */
    @Inject
    public PackAuthHook(AuthPack pack, UsersRepository users) {
        this.login = new ConnectionLogin(pack, users);
    }

    @Override
    public HookResult doAuth(SMTPSession session, Username username, String password) {
        Verdict verdict = login.judge(session, username, password, Protocol.SMTP);
        switch (verdict.state()) {
            case ACCEPTED:
                session.setUsername(username);
                session.setRelayingAllowed(true);
                return HookResult.builder()
                    .hookReturnCode(HookReturnCode.ok())
                    .smtpDescription("Authentication Successful")
                    .build();
            case UNAVAILABLE:
                return UNAVAILABLE;
            default:
                return REJECTED;
        }
    }

    /** OIDC (OAUTHBEARER/XOAUTH2 towards James) stays James' own hook's business. */
    @Override
    public HookResult doSasl(SMTPSession session, OidcSASLConfiguration configuration, String initialResponse) {
        return HookResult.DECLINED;
    }
}
