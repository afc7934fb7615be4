package org.jamespack.auth.james;

import java.net.InetAddress;
import java.util.Optional;

import org.apache.james.core.Username;
import org.apache.james.imap.api.display.HumanReadableText;
import org.apache.james.imap.api.message.request.ImapRequest;
import org.apache.james.imap.api.message.response.StatusResponseFactory;
import org.apache.james.imap.api.process.ImapProcessor.Responder;
import org.apache.james.imap.api.process.ImapSession;
import org.apache.james.mailbox.MailboxManager;
import org.apache.james.mailbox.MailboxSession;
import org.apache.james.mailbox.exception.MailboxException;
import org.apache.james.user.api.UsersRepository;
import org.jamespack.auth.LoginAttempt;
import org.jamespack.auth.Protocol;
import org.jamespack.auth.Verdict;
import org.jamespack.auth.pack.AuthPack;
import org.jamespack.auth.pack.MailHostAnswer;
import org.jamespack.auth.pack.PackMode;
import org.jamespack.foundation.Secret;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pack's decision for an IMAP login, and what follows an ACCEPTED one, shared by
 * {@link PackLoginProcessor} and {@link PackAuthenticateProcessor}: password-only mode refuses a
 * user James does not know before any backend is asked; the verifier (chain, cache, throttle)
 * decides the rest. The
 * throttle's failure delay is slept out here: James 3.8.1 runs IMAP processors off the Netty
 * I/O threads, and the delay is bounded by the throttle's {@code maxConcurrentDelays}.
 *
 * <p>Stateless and thread-safe.
 */
final class PackImapLogin {

    private static final Logger LOGGER = LoggerFactory.getLogger(PackImapLogin.class);

    /** James' {@code AbstractAuthProcessor#provisionInbox}, which only a processor can call. */
    @FunctionalInterface
    interface InboxProvisioning {
        void provision(ImapSession session, MailboxManager manager, MailboxSession mailboxSession) throws MailboxException;
    }

    private PackImapLogin() {
    }

    /**
     * After the pack's ACCEPTED: opens the mailbox session for {@code user} without a password
     * ({@code SessionProvider#authenticate(Username)}, so James' stored password is never
     * consulted), provisions INBOX as James does, then runs {@code ok}; {@code failed} when the
     * mailbox cannot be opened. The processor passes its own James steps, protected in James'
     * base class.
     */
    static void open(MailboxManager manager, Username user, ImapSession session, InboxProvisioning provisioning,
                     Runnable ok, Runnable failed) {
        try {
            MailboxSession mailboxSession = manager.authenticate(user).withoutDelegation();
            session.authenticated();
            session.setMailboxSession(mailboxSession);
            provisioning.provision(session, manager, mailboxSession);
            ok.run();
        } catch (MailboxException e) {
            LOGGER.error("Error encountered while opening the mailbox session after the pack's login", e);
            failed.run();
        }
    }

    /**
     * Answers a right login whose mailbox lives on {@code host} (the verdict's mail host) as the
     * pack's {@code imapMailHostAnswer} says: an RFC 2221 login referral or a plain NO, both naming
     * the host. James would write the command name before the text, where the referral's response
     * code must come first, so the text carries the command name itself. No session is opened and
     * no failure is counted: the password was right, the client is to log in there.
     */
    static void elsewhere(AuthPack pack, StatusResponseFactory factory, ImapRequest request, Username user, String host,
                          Responder responder) {
        String text = MailHostAnswer.imap(pack.imapMailHostAnswer(), request.getCommand().getName(), user.asString(), host);
        responder.respond(factory.taggedNo(request.getTag(), null, new HumanReadableText(MAIL_HOST_TEXT_KEY, text)));
    }

    /** The localisation key of {@link #elsewhere}'s text (James' localizer prints its default, the text itself). */
    private static final String MAIL_HOST_TEXT_KEY = "org.jamespack.auth.imap.mailhost";

    /** {@code client}: read from James' logging context while the command is processed (a continuation line runs without it). */
    static Verdict check(AuthPack pack, UsersRepository users, Username user, Secret password, Optional<InetAddress> client) {
        LoginAttempt attempt = new LoginAttempt(user.asString(), password, Protocol.IMAP, client);
        return pack.mode() == PackMode.PASSWORD_ONLY
            ? PasswordOnly.check(pack, users, user, attempt)
            : pack.verify(attempt);
    }

    /** James' name for a login, or empty when James cannot hold it (it is then refused, never passed on). */
    static Optional<Username> username(String login) {
        try {
            return Optional.of(Username.of(login));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** Writes the audit line of a refused malformed message: no field of it, since none can be trusted. */
    static void auditMalformed(AuthPack pack, Protocol protocol, Optional<InetAddress> client) {
        pack.audit(new LoginAttempt(MALFORMED, Secret.of("-"), protocol, client),
            Verdict.rejected(Verdict.Reason.MALFORMED_INPUT, "malformed SASL message, refused unchecked"), 0);
    }

    /** The login the audit line shows for a malformed SASL message. */
    static final String MALFORMED = "(malformed)";
}
