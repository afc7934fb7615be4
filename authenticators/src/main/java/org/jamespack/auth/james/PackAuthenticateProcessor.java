package org.jamespack.auth.james;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import javax.inject.Inject;

import org.apache.james.core.Username;
import org.apache.james.imap.api.display.HumanReadableText;
import org.apache.james.imap.api.message.Capability;
import org.apache.james.imap.api.message.request.ImapRequest;
import org.apache.james.imap.api.message.response.StatusResponseFactory;
import org.apache.james.imap.api.process.ImapSession;
import org.apache.james.imap.message.request.AuthenticateRequest;
import org.apache.james.imap.message.request.IRAuthenticateRequest;
import org.apache.james.imap.message.response.AuthenticateResponse;
import org.apache.james.imap.processor.AbstractAuthProcessor;
import org.apache.james.imap.processor.CapabilityImplementingProcessor;
import org.apache.james.mailbox.MailboxManager;
import org.apache.james.metrics.api.MetricFactory;
import org.apache.james.user.api.UsersRepository;
import org.apache.james.util.MDCBuilder;
import org.jamespack.auth.LogSafe;
import org.jamespack.auth.Protocol;
import org.jamespack.auth.SaslCredentials;
import org.jamespack.auth.Verdict;
import org.jamespack.auth.pack.AuthPack;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import net.jcip.annotations.ThreadSafe;

/**
 * IMAP {@code AUTHENTICATE PLAIN} (RFC 3501 section 6.2.2, with or without the RFC 4959 initial
 * response) through the pack (in {@link PackImapPackage}). The message is parsed by
 * {@link SaslCredentials#plain} (RFC 4616, strict): a malformed one gets {@code BAD}, asks no
 * backend, and writes a {@code login=(malformed)} audit line. Then as {@link PackLoginProcessor}:
 * the pack decides, the mailbox session is opened without a password, and a mailbox on another
 * host is answered with a login referral. OAUTHBEARER and XOAUTH2 are not offered: James' OIDC
 * support lives in its own processor, which this one replaces.
 *
 * <p>Thread-safe: made once by James' extension injector.
 */
@ThreadSafe
public final class PackAuthenticateProcessor extends AbstractAuthProcessor<AuthenticateRequest>
    implements CapabilityImplementingProcessor {

    private static final Logger LOGGER = LoggerFactory.getLogger(PackAuthenticateProcessor.class);
    private static final String PLAIN = "PLAIN";
    private static final Capability AUTH_PLAIN = Capability.of("AUTH=PLAIN");
    private static final Capability SASL_IR = Capability.of("SASL-IR");

    private final AuthPack pack;
    private final UsersRepository users;

    @Inject
    public PackAuthenticateProcessor(MailboxManager mailboxManager, StatusResponseFactory factory, MetricFactory metricFactory,
                                     AuthPack pack, UsersRepository users) {
        super(AuthenticateRequest.class, mailboxManager, factory, metricFactory);
        this.pack = pack;
        this.users = users;
    }

    @Override
    public List<Class<? extends AuthenticateRequest>> acceptableClasses() {
        return List.of(AuthenticateRequest.class, IRAuthenticateRequest.class);
    }

    @Override
    protected void processRequest(AuthenticateRequest request, ImapSession session, Responder responder) {
        if (!PLAIN.equals(request.getAuthType().toUpperCase(Locale.ROOT))) {
            no(request, responder, HumanReadableText.UNSUPPORTED_AUTHENTICATION_MECHANISM);
            return;
        }
        if (session.isPlainAuthDisallowed()) {
            LOGGER.warn("Login attempt over clear channel rejected");
            no(request, responder, HumanReadableText.DISABLED_LOGIN);
            return;
        }
        // the continuation line below runs without James' logging context: the client is read now
        Optional<InetAddress> client = CallerProtocol.clientFromLoggingContext();
        if (request instanceof IRAuthenticateRequest initial) {
            plain(initial.getInitialClientResponse(), client, session, request, responder);
            return;
        }
        session.executeSafely(() -> {
            responder.respond(new AuthenticateResponse());
            responder.flush();
            session.pushLineHandler((lineSession, data) -> {
                // the line handler is popped first: whatever the answer, the next line is a command again
                lineSession.popLineHandler();
                plain(new String(data, StandardCharsets.US_ASCII), client, lineSession, request, responder);
                responder.flush();
            });
        });
    }

    private void plain(String base64, Optional<InetAddress> client, ImapSession session, ImapRequest request, Responder responder) {
        if (base64.strip().equals("*")) {
            // RFC 3501 section 6.2.2: the client cancelled
            taggedBad(request, responder, HumanReadableText.AUTHENTICATION_FAILED);
            return;
        }
        Optional<SaslCredentials> credentials = SaslCredentials.plain(base64);
        Optional<Username> user = credentials.flatMap(c -> PackImapLogin.username(c.login()));
        if (user.isEmpty()) {
            PackImapLogin.auditMalformed(pack, Protocol.IMAP, client);
            taggedBad(request, responder, HumanReadableText.ILLEGAL_ARGUMENTS);
            return;
        }
        Verdict verdict = PackImapLogin.check(pack, users, user.get(), credentials.get().password(), client);
        switch (verdict.state()) {
            case ACCEPTED -> {
                if (verdict.mailHost().isPresent()) {
                    // the mailbox lives on another host: refer the client there (not a failure)
                    PackImapLogin.elsewhere(pack, getStatusResponseFactory(), request, user.get(), verdict.mailHost().get(),
                        responder);
                } else {
                    open(user.get(), session, request, responder);
                }
            }
            case UNAVAILABLE -> no(request, responder, HumanReadableText.GENERIC_FAILURE_DURING_PROCESSING);
            default -> manageFailureCount(session, request, responder, HumanReadableText.AUTHENTICATION_FAILED);
        }
    }

    private void open(Username user, ImapSession session, ImapRequest request, Responder responder) {
        PackImapLogin.open(getMailboxManager(), user, session, this::provisionInbox, () -> okComplete(request, responder),
            () -> no(request, responder, HumanReadableText.GENERIC_FAILURE_DURING_PROCESSING));
    }

    @Override
    public List<Capability> getImplementedCapabilities(ImapSession session) {
        List<Capability> caps = new ArrayList<>(2);
        if (!session.isPlainAuthDisallowed()) {
            caps.add(AUTH_PLAIN);
        }
        caps.add(SASL_IR);
        return List.copyOf(caps);
    }

    @Override
    protected MDCBuilder mdc(AuthenticateRequest request) {
        return MDCBuilder.create()
            .addToContext(MDCBuilder.ACTION, "AUTHENTICATE")
            .addToContext("authType", LogSafe.of(request.getAuthType()));
    }
}
