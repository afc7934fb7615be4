package org.jamespack.auth.james;

import java.io.IOException;
import java.util.Optional;

import javax.inject.Inject;
import javax.inject.Named;

import org.apache.james.core.Username;
import org.apache.james.mailbox.MailboxManager;
import org.apache.james.mailbox.MailboxSession;
import org.apache.james.mailbox.MessageManager;
import org.apache.james.mailbox.exception.MailboxException;
import org.apache.james.mailbox.model.MailboxId;
import org.apache.james.mailbox.model.MailboxPath;
import org.apache.james.metrics.api.MetricFactory;
import org.apache.james.pop3server.core.PassCmdHandler;
import org.apache.james.pop3server.mailbox.MailboxAdapterFactory;
import org.apache.james.protocols.api.ProtocolSession;
import org.apache.james.protocols.api.Request;
import org.apache.james.protocols.api.Response;
import org.apache.james.protocols.pop3.POP3Response;
import org.apache.james.protocols.pop3.POP3Session;
import org.apache.james.protocols.pop3.mailbox.Mailbox;
import org.apache.james.user.api.UsersRepository;
import org.jamespack.auth.Protocol;
import org.jamespack.auth.Verdict;
import org.jamespack.auth.pack.AuthPack;
import org.jamespack.auth.pack.MailHostAnswer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import net.jcip.annotations.ThreadSafe;
import reactor.core.publisher.Mono;

/**
 * The POP3 PASS handler for {@code pop3server.xml}'s handler chain (put it before
 * {@code CoreCmdHandlerLoader}): it asks the pack itself through {@link ConnectionLogin}, the
 * judge it shares with the SMTP hook, which pays the throttle's failure delay by not reading
 * from the failing client's connection, instead of letting the mailbox {@code Authenticator} sleep on the POP3 server's
 * Netty I/O thread ({@code pop3server-io-*}), which would hold up every POP3 connection that
 * thread serves.
 *
 * <p>Thread-safe: set up once by James' Guice before the server accepts connections; the pack
 * and James' collaborators are thread-safe.
 *
 * <p>James' command dispatcher asks the handlers of a command in chain order and takes the first
 * answer that is not null; this one always answers, so James' own {@code PassCmdHandler} that
 * {@code CoreCmdHandlerLoader} also registers for PASS is never reached. Answers are James':
 * ACCEPTED → {@code +OK Welcome …} (and POP-before-SMTP, inherited), REJECTED and DISABLED →
 * {@code -ERR Authentication failed.}, UNAVAILABLE → {@code -ERR Unexpected error accessing
 * mailbox} (temporary, as the pack's mailbox adapters make James say); ACCEPTED for a mailbox on
 * another host (qmail-ldap {@code mailHost}) → {@code -ERR [SYS/PERM] …} naming the host (RFC 3206:
 * retrying here will not help), with no mailbox opened. After an ACCEPTED verdict
 * the mailbox session is opened as already authenticated ({@code MailboxManager#authenticate(Username)}),
 * so the backend and the throttle are asked once per PASS, never a second time by the mailbox
 * path (which would also sleep the delay again). A PASS read while its connection is inside a
 * failure delay was pipelined before the failure answer: it is refused without asking the
 * backend.
 */
@ThreadSafe
public final class PackPop3PassHandler extends PassCmdHandler {

    private static final Logger LOGGER = LoggerFactory.getLogger(PackPop3PassHandler.class);
    /** The host of a right login whose mailbox is elsewhere, from {@link #auth} to {@link #onCommand} of one PASS. */
    private static final ProtocolSession.AttachmentKey<String> ELSEWHERE =
        ProtocolSession.AttachmentKey.of("org.jamespack.auth.pop3.mailhost", String.class);

    private final MailboxManager manager;
    private final MailboxAdapterFactory adapters;
    private final ConnectionLogin login;

    /**
     * The pack is required (from {@link PackExtensionModule} under James' own launcher): a PASS
     * handler named in {@code pop3server.xml} without it fails James' start rather than let
     * James' stored passwords answer.
     */
    @Inject
    public PackPop3PassHandler(@Named("mailboxmanager") MailboxManager manager, MailboxAdapterFactory adapters,
                               MetricFactory metricFactory, UsersRepository users, AuthPack pack) {
        super(manager, adapters, metricFactory);
        this.manager = manager;
        this.adapters = adapters;
        this.login = new ConnectionLogin(pack, users);
    }

    /**
     * James' PASS handling, except that a right login whose mailbox is on another host is answered
     * {@code -ERR [SYS/PERM] …} naming the host instead of {@code -ERR Authentication failed.}:
     * James' base class has only that answer for a login that opens no mailbox, so {@link #auth}
     * leaves the host on the session for this one command.
     */
    @Override
    public Response onCommand(POP3Session session, Request request) {
        Response response = super.onCommand(session, request);
        Optional<String> host = session.removeAttachment(ELSEWHERE, ProtocolSession.State.Connection);
        return host.isPresent() ? new POP3Response(POP3Response.ERR_RESPONSE, MailHostAnswer.pop3(host.get())) : response;
    }

    @Override
    protected @Nullable Mailbox auth(POP3Session session, Username username, String password) throws Exception {
        Verdict verdict = login.judge(session, username, password, Protocol.POP3);
        switch (verdict.state()) {
            case ACCEPTED:
                if (verdict.mailHost().isPresent()) {
                    // no mailbox here: James then resets the session to USER as after a failure (no delay was owed)
                    session.setAttachment(ELSEWHERE, verdict.mailHost().get(), ProtocolSession.State.Connection);
                    return null;
                }
                return open(session, username);
            case UNAVAILABLE:
                // AbstractPassCmdHandler answers "-ERR Unexpected error accessing mailbox"; no secret here
                throw new IOException("authentication backend unavailable: " + verdict.reason());
            default:
                return null;
        }
    }

    /**
     * What James 3.8.1's {@code PassCmdHandler} does after a successful
     * {@code MailboxManager#authenticate(Username, String)} (its code is private, hence copied):
     * the session, INBOX provisioning, the adapter.
     */
    private Mailbox open(POP3Session session, Username username) throws IOException {
        MailboxSession mailboxSession = null;
        try {
            // already authenticated by the pack: asking the Authenticator again would check (and
            // on a failure delay) twice
            mailboxSession = manager.authenticate(username).withoutDelegation();
            session.stopDetectingCommandInjection();
            manager.startProcessingRequest(mailboxSession);
            MailboxPath inbox = MailboxPath.inbox(mailboxSession);
            if (!Boolean.TRUE.equals(Mono.from(manager.mailboxExists(inbox, mailboxSession)).block())) {
                Optional<MailboxId> created = manager.createMailbox(inbox, mailboxSession);
                LOGGER.info("Provisioning INBOX. {} created.", created);
            }
            MessageManager mailbox = manager.getMailbox(inbox, mailboxSession);
            return adapters.create(mailbox, mailboxSession);
        } catch (MailboxException e) {
            throw new IOException("Unable to access mailbox for user " + username.asString(), e);
        } finally {
            if (mailboxSession != null) {
                manager.endProcessingRequest(mailboxSession);
            }
        }
    }
}
