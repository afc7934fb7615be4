package org.jamespack.auth.james;

import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

import javax.inject.Inject;

import org.apache.james.core.Username;
import org.apache.james.protocols.api.Request;
import org.apache.james.protocols.api.Response;
import org.apache.james.protocols.api.handler.CommandHandler;
import org.apache.james.protocols.api.handler.LineHandler;
import org.apache.james.protocols.smtp.SMTPResponse;
import org.apache.james.protocols.smtp.SMTPSession;
import org.apache.james.protocols.smtp.hook.HookResult;
import org.apache.james.protocols.smtp.hook.HookReturnCode;
import org.jamespack.auth.Protocol;
import org.jamespack.auth.SaslCredentials;
import org.jamespack.auth.pack.AuthPack;

import net.jcip.annotations.ThreadSafe;

/**
 * SMTP {@code AUTH PLAIN} and {@code AUTH LOGIN} parsed by the pack (RFC 4954 over RFC 4616 and
 * the LOGIN draft), for {@code smtpserver.xml}'s handler chain before
 * {@code CoreCmdHandlerLoader}: James' command dispatcher asks the handlers of a command in
 * chain order and takes the first answer, so James' own {@code AuthCmdHandler}, which keeps
 * announcing AUTH in EHLO and handling OIDC, never sees PLAIN or LOGIN.
 *
 * <p>Why: James 3.8.1 splits PLAIN on NUL and drops empty fields ({@code \0alice\0\0secret\0}
 * logs alice in). Here a malformed message ({@link SaslCredentials}) gets
 * {@code 501 5.5.2}, no backend is asked, and the audit line says {@code login=(malformed)}
 * and nothing of the message. A well-formed one goes to {@link PackAuthHook}'s decision
 * (235, {@code 535 5.7.8}, {@code 454 4.7.0}, the throttle's connection pause included).
 *
 * <p>Thread-safe: holds only the pack and the hook; per-exchange state lives in the line
 * handler pushed on the session.
 */
@ThreadSafe
public final class PackSmtpAuthCmdHandler implements CommandHandler<SMTPSession> {

    static final Response MALFORMED = new SMTPResponse("501", "5.5.2 Malformed authentication data").immutable();
    private static final Response ABORTED = new SMTPResponse("501", "5.7.0 Authentication aborted").immutable();
    private static final Response READY_PLAIN = new SMTPResponse("334", "").immutable();
    // base64 of "Username:" and "Password:", as every LOGIN server says
    private static final Response READY_USERNAME = new SMTPResponse("334", "VXNlcm5hbWU6").immutable();
    private static final Response READY_PASSWORD = new SMTPResponse("334", "UGFzc3dvcmQ6").immutable();

    private final AuthPack pack;
    private final PackAuthHook hook;

    @Inject
    public PackSmtpAuthCmdHandler(AuthPack pack, PackAuthHook hook) {
        this.pack = pack;
        this.hook = hook;
    }

    @Override
    public Collection<String> getImplCommands() {
        return Set.of("AUTH");
    }

    /** Null (James' handler answers) for what is not PLAIN or LOGIN, or when James would refuse anyway. */
    @Override
    public Response onCommand(SMTPSession session, Request request) {
        String argument = request.getArgument();
        if (session.getUsername() != null || argument == null || !session.getConfiguration().isPlainAuthEnabled()) {
            // James answers these (already authenticated, usage, mechanism not offered)
            return null;
        }
        int space = argument.indexOf(' ');
        String mechanism = (space < 0 ? argument : argument.substring(0, space)).toUpperCase(Locale.US);
        Optional<String> initial = space < 0 ? Optional.empty() : Optional.of(argument.substring(space + 1).strip());
        switch (mechanism) {
            case "PLAIN":
                if (initial.isPresent()) {
                    return plain(session, initial.get());
                }
                session.pushLineHandler(line(this::plain));
                return READY_PLAIN;
            case "LOGIN":
                if (initial.isPresent()) {
                    return loginName(session, initial.get());
                }
                session.pushLineHandler(line(this::loginName));
                return READY_USERNAME;
            default:
                return null;
        }
    }

    private Response plain(SMTPSession session, String base64) {
        // RFC 4954 section 4: "=" is an empty initial response, which PLAIN cannot be
        Optional<SaslCredentials> credentials = SaslCredentials.plain(base64);
        Optional<Username> user = credentials.flatMap(c -> PackImapLogin.username(c.login()));
        if (user.isEmpty()) {
            return malformed(session);
        }
        return decide(session, user.get(), credentials.get().password().reveal());
    }

    private Response loginName(SMTPSession session, String base64) {
        Optional<Username> user = SaslCredentials.loginField(base64).flatMap(PackImapLogin::username);
        if (user.isEmpty()) {
            return malformed(session);
        }
        session.pushLineHandler(line((s, password) -> loginPassword(s, user.get(), password)));
        return READY_PASSWORD;
    }

    private Response loginPassword(SMTPSession session, Username user, String base64) {
        Optional<String> password = SaslCredentials.loginField(base64);
        if (password.isEmpty()) {
            return malformed(session);
        }
        return decide(session, user, password.get());
    }

    private Response malformed(SMTPSession session) {
        java.net.InetSocketAddress remote = session.getRemoteAddress();
        PackImapLogin.auditMalformed(pack, Protocol.SMTP,
            remote == null ? Optional.empty() : Optional.ofNullable(remote.getAddress()));
        return MALFORMED;
    }

    private Response decide(SMTPSession session, Username user, String password) {
        HookResult result = hook.doAuth(session, user, password);
        HookReturnCode code = result.getResult();
        if (code.getAction() == HookReturnCode.Action.OK) {
            return new SMTPResponse("235", result.getSmtpDescription());
        }
        return new SMTPResponse(result.getSmtpRetCode(), result.getSmtpDescription());
    }

    /** One line of an exchange; {@code *} cancels it (RFC 4954 section 4); the handler is popped either way. */
    private static LineHandler<SMTPSession> line(java.util.function.BiFunction<SMTPSession, String, Response> next) {
        return (session, bytes) -> {
            session.popLineHandler();
            String text = new String(bytes, StandardCharsets.US_ASCII);
            String line = text.endsWith("\r\n") ? text.substring(0, text.length() - 2) : text.strip();
            if (line.equals("*")) {
                return ABORTED;
            }
            return next.apply(session, line);
        };
    }
}
