package org.jamespack.relay.graph;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

import org.jamespack.relay.smtp.FailureKind;
import org.jamespack.relay.smtp.SenderRewrite;
import org.jamespack.relay.smtp.TokenConnect;
import org.jamespack.relay.token.TokenOutcome;
import org.jamespack.relay.token.TokenSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import net.jcip.annotations.ThreadSafe;

/**
 * One delivery attempt through Graph: prepare the message ({@link GraphMessage}), get the route's token, call
 * {@code sendMail}, and on a 401 refresh the token once and call again. Thread-safe (stateless over a thread-safe
 * {@link GraphClient} and token sources).
 *
 * <p>Token problems come back in the relay's failure classes, so that mail is never lost to them: a token source's
 * CREDENTIAL_BROKEN stays CREDENTIAL_BROKEN (the mail stays queued, the route turns unhealthy), anything else about the
 * token is TRANSIENT, and a token Graph refuses even after a refresh is CREDENTIAL_BROKEN.
 */
@ThreadSafe
public final class GraphTransport {

    private static final Logger LOGGER = LoggerFactory.getLogger(GraphTransport.class);

    private final GraphClient client;

    public GraphTransport(GraphClient client) {
        this.client = Objects.requireNonNull(client, "client");
    }

    /**
     * Sends {@code mime} from {@code mailbox} to {@code recipients}.
     *
     * @param rewrite replaces the {@code From} naming the original sender by the mailbox, when the relay rewrites senders
     */
    public GraphResult send(GraphEndpoint endpoint, String mailbox, byte[] mime, List<String> recipients,
                            Optional<SenderRewrite> rewrite, TokenSource tokens) {
        GraphMessage.Prepared prepared = GraphMessage.prepare(mime, recipients, rewrite);
        if (prepared instanceof GraphMessage.Refused refused) {
            return new GraphResult.Unsendable(refused.reason(), refused.dsnCode());
        }
        GraphMessage.Ready ready = (GraphMessage.Ready) prepared;
        if (ready.adjusted()) {
            LOGGER.debug("recipient headers adjusted to the {} envelope recipient(s) for Graph's sendMail of {}",
                recipients.size(), mailbox);
        }
        TokenOutcome token = token(tokens, false);
        if (token instanceof TokenOutcome.Failure failure) {
            return tokenFailure(failure, tokens);
        }
        GraphResult result = client.sendMail(endpoint, mailbox, ready.body(), ((TokenOutcome.Token) token).accessToken());
        if (result instanceof GraphResult.Failed failed && failed.kind() == FailureKind.TOKEN_STALE) {
            LOGGER.info("{}; refreshing the token of {} once and sending again", failed.detail(), tokens.account());
            token = token(tokens, true);
            if (token instanceof TokenOutcome.Failure failure) {
                return tokenFailure(failure, tokens);
            }
            result = client.sendMail(endpoint, mailbox, ready.body(), ((TokenOutcome.Token) token).accessToken());
            if (result instanceof GraphResult.Failed again) {
                result = again.afterRefresh();
            }
        }
        return result;
    }

    private static GraphResult tokenFailure(TokenOutcome.Failure failure, TokenSource tokens) {
        FailureKind kind = failure.kind() == TokenOutcome.Kind.CREDENTIAL_BROKEN ? FailureKind.CREDENTIAL_BROKEN
            : FailureKind.TRANSIENT;
        return new GraphResult.Failed(kind, -1, "", "no token for " + tokens.account() + ": " + failure.detail(), "",
            Optional.empty());
    }

    /** The relay's one way to ask a token source: a source that throws (a bug) gives a TRANSIENT failure, never lost mail. */
    private static TokenOutcome token(TokenSource source, boolean force) {
        return TokenConnect.token(source, force);
    }
}
