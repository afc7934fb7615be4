package org.jamespack.auth.james;

import java.util.Collections;
import java.util.List;

import javax.inject.Inject;

import org.apache.james.core.Username;
import org.apache.james.imap.api.display.HumanReadableText;
import org.apache.james.imap.api.message.Capability;
import org.apache.james.imap.api.message.response.StatusResponseFactory;
import org.apache.james.imap.api.process.ImapSession;
import org.apache.james.imap.message.request.LoginRequest;
import org.apache.james.imap.processor.AbstractAuthProcessor;
import org.apache.james.imap.processor.CapabilityImplementingProcessor;
import org.apache.james.mailbox.MailboxManager;
import org.apache.james.metrics.api.MetricFactory;
import org.apache.james.user.api.UsersRepository;
import org.apache.james.util.MDCBuilder;
import org.jamespack.auth.LogSafe;
import org.jamespack.auth.Protocol;
import org.jamespack.foundation.Secret;
import org.jamespack.auth.Verdict;
import org.jamespack.auth.pack.AuthPack;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import net.jcip.annotations.ThreadSafe;

/**
 * IMAP {@code LOGIN} through the pack (in {@link PackImapPackage}): the pack checks the
 * password, then the mailbox session is opened for the user without one
 * ({@code SessionProvider#authenticate(Username)}), so James' stored password is never
 * consulted. Answers are James': ACCEPTED → {@code OK LOGIN completed.}; REJECTED and DISABLED →
 * {@code NO LOGIN failed. Invalid login/password.} (three failures close the connection, as in
 * James); UNAVAILABLE → {@code NO LOGIN processing failed.}. ACCEPTED for a mailbox on another
 * host (qmail-ldap {@code mailHost}) → {@code NO [REFERRAL imap://…@HOST/] LOGIN refused: …}
 * (RFC 2221) or a plain {@code NO} naming the host, by {@code imapMailHostAnswer}; not counted as
 * a failure. A name or password holding NUL, or a name James cannot hold, is {@code BAD}, refused
 * unchecked, with a {@code login=(malformed)} audit line.
 *
 * <p>Thread-safe: made once by James' extension injector; the pack and James' collaborators are thread-safe.
 */
@ThreadSafe
public final class PackLoginProcessor extends AbstractAuthProcessor<LoginRequest> implements CapabilityImplementingProcessor {

    private static final Logger LOGGER = LoggerFactory.getLogger(PackLoginProcessor.class);
    private static final List<Capability> LOGINDISABLED = List.of(Capability.of("LOGINDISABLED"));

    private final AuthPack pack;
    private final UsersRepository users;

    @Inject
    public PackLoginProcessor(MailboxManager mailboxManager, StatusResponseFactory factory, MetricFactory metricFactory,
                              AuthPack pack, UsersRepository users) {
        super(LoginRequest.class, mailboxManager, factory, metricFactory);
        this.pack = pack;
        this.users = users;
    }

    @Override
    protected void processRequest(LoginRequest request, ImapSession session, Responder responder) {
        if (session.isPlainAuthDisallowed()) {
            LOGGER.warn("Login attempt over clear channel rejected");
            no(request, responder, HumanReadableText.DISABLED_LOGIN);
            return;
        }
        String password = request.getPassword();
        Username user = request.getUserid();
        if (user == null || password == null || password.isEmpty() || password.indexOf('\0') >= 0
            || user.asString().indexOf('\0') >= 0) {
            PackImapLogin.auditMalformed(pack, Protocol.IMAP, CallerProtocol.clientFromLoggingContext());
            taggedBad(request, responder, HumanReadableText.ILLEGAL_ARGUMENTS);
            return;
        }
        Verdict verdict = PackImapLogin.check(pack, users, user, Secret.of(password), CallerProtocol.clientFromLoggingContext());
        switch (verdict.state()) {
            case ACCEPTED -> accepted(verdict, user, session, request, responder);
            case UNAVAILABLE -> no(request, responder, HumanReadableText.GENERIC_FAILURE_DURING_PROCESSING);
            default -> manageFailureCount(session, request, responder, HumanReadableText.INVALID_LOGIN);
        }
    }

    private void accepted(Verdict verdict, Username user, ImapSession session, LoginRequest request, Responder responder) {
        if (verdict.mailHost().isPresent()) {
            PackImapLogin.elsewhere(pack, getStatusResponseFactory(), request, user, verdict.mailHost().get(), responder);
        } else {
            open(user, session, request, responder);
        }
    }

    private void open(Username user, ImapSession session, LoginRequest request, Responder responder) {
        PackImapLogin.open(getMailboxManager(), user, session, this::provisionInbox, () -> okComplete(request, responder),
            () -> no(request, responder, HumanReadableText.GENERIC_FAILURE_DURING_PROCESSING));
    }

    @Override
    public List<Capability> getImplementedCapabilities(ImapSession session) {
        return session.isPlainAuthDisallowed() ? LOGINDISABLED : Collections.emptyList();
    }

    @Override
    protected MDCBuilder mdc(LoginRequest request) {
        return MDCBuilder.create()
            .addToContext(MDCBuilder.ACTION, "LOGIN")
            .addToContext("login-user", LogSafe.of(request.getUserid() == null ? "" : request.getUserid().asString()));
    }
}
