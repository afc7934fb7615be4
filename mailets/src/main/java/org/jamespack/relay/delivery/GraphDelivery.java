package org.jamespack.relay.delivery;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.apache.james.core.MailAddress;
import org.apache.mailet.Mail;
import org.jamespack.relay.graph.GraphResult;
import org.jamespack.relay.graph.GraphTransport;
import org.jamespack.relay.route.Route;
import org.jamespack.relay.smtp.FailureKind;
import org.jamespack.relay.smtp.SenderRewrite;
import org.jamespack.relay.token.TokenSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import net.jcip.annotations.ThreadSafe;

/**
 * One delivery attempt of a Graph route ({@code transport=graph}), after the route's limits admitted the message: a
 * request slot of the route ({@code connections} bounds the requests in flight), the {@link GraphTransport} (token,
 * {@code sendMail}, one refresh on 401), and the decision in the terms SMTP failures use, so that retries, bounces,
 * health and the journal behave the same. Thread-safe: called by many delivery threads; state lives in the route gates.
 *
 * <p>Graph delivers to every recipient or to none, so there is no partial outcome. A {@code Retry-After} (429, 503)
 * sets the message's next attempt and pauses the route as long; other 429 and 5xx answers pause the route with the
 * usual back-off. A failure that is the same for every message of the route (no token, a token refused after a refresh,
 * 403 without Mail.Send, 404 for the mailbox) pauses the route as a whole, one probe per interval, as for SMTP.
 */
@ThreadSafe
final class GraphDelivery {

    private static final Logger LOGGER = LoggerFactory.getLogger(GraphDelivery.class);

    /** The relay's retry decision ({@code RelayDelivery}'s): attempts, schedule, logging, health, bounce at the end. */
    @FunctionalInterface
    interface Retry {
        DeliveryOutcome retry(Mail mail, List<MailAddress> pending, FailureKind kind, String detail, Instant now,
                              Optional<RouteGate> gate);
    }

    /** The relay's route-wide pause ({@code RelayDelivery}'s): one probe per interval until the account works again. */
    @FunctionalInterface
    interface Pause {
        void pause(Route route, RouteGate gate, String reason, Instant now, boolean refreshFirst);
    }

    private final GraphTransport transport;
    private final Bounces bounces;
    private final Duration slotWait;
    private final Retry retry;
    private final Pause pause;

    GraphDelivery(GraphTransport transport, Bounces bounces, Duration slotWait, Retry retry, Pause pause) {
        this.transport = transport;
        this.bounces = bounces;
        this.slotWait = slotWait;
        this.retry = retry;
        this.pause = pause;
    }

    /**
     * Sends {@code message} (the mail's bytes) for {@code pending}; {@code rewrite} replaces the {@code From} as for
     * SMTP when the relay rewrites senders.
     */
    DeliveryOutcome deliver(Mail mail, byte[] message, List<MailAddress> pending, Route route, RouteGate gate,
                            TokenSource source, Optional<SenderRewrite> rewrite, Instant now) {
        if (!takeSlot(gate)) {
            return new DeliveryOutcome.Requeue(Duration.ofSeconds(5), "all Graph requests of " + route.account() + " busy");
        }
        GraphResult result;
        try {
            List<String> recipients = new ArrayList<>();
            pending.forEach(a -> recipients.add(a.asString()));
            result = transport.send(route.graph().orElseThrow(), route.user().orElseThrow(), message, recipients, rewrite, source);
        } finally {
            gate.freeSlot();
        }
        String sender = mail.getMaybeSender().asOptional().map(MailAddress::asString).orElse("");
        if (result instanceof GraphResult.Sent) {
            gate.succeeded();
            LOGGER.info("relayed mail {} from {} for {} recipient(s) via Graph {} as {}", mail.getName(), sender, pending.size(),
                route.graph().orElseThrow(), route.account());
            return new DeliveryOutcome.Done(pending.size(), 0);
        }
        if (result instanceof GraphResult.Unsendable unsendable) {
            LOGGER.info("mail {} from {} cannot go through Graph as {}: {}; bouncing", mail.getName(), sender, route.account(),
                unsendable.reason());
            bounces.bounce(mail, pending, "Microsoft Graph cannot take the message: " + unsendable.reason(), unsendable.dsnCode());
            return new DeliveryOutcome.Done(0, pending.size());
        }
        GraphResult.Failed failed = (GraphResult.Failed) result;
        switch (failed.kind()) {
            case PERMANENT: {
                LOGGER.info("mail {} from {}: refused permanently by Graph for {}: {}; bouncing", mail.getName(), sender,
                    route.account(), failed.explanation());
                bounces.bounce(mail, pending, "Microsoft Graph told me: " + failed.explanation(), failed.status() == 413 ? 552 : 554);
                return new DeliveryOutcome.Done(0, pending.size());
            }
            case TRANSIENT: {
                if (failed.retryAfter().isPresent()) {
                    gate.pauseFor(failed.retryAfter().get(), now);
                } else if (failed.status() == 429 || failed.status() >= 500) {
                    Duration pause = gate.backOff(now);
                    LOGGER.warn("Graph answered {} for {}; pausing that route {}", failed.status(), route.account(), pause);
                }
                DeliveryOutcome outcome = retry.retry(mail, pending, FailureKind.TRANSIENT, failed.explanation(), now,
                    Optional.of(gate));
                if (outcome instanceof DeliveryOutcome.Requeue requeue && failed.retryAfter().isPresent()) {
                    // Graph named the wait: neither sooner (it would be throttled again) nor later than asked
                    LOGGER.info("mail {}: Graph asked {} to wait {} (Retry-After); the next attempt is then", mail.getName(),
                        route.account(), failed.retryAfter().get());
                    return new DeliveryOutcome.Requeue(failed.retryAfter().get(), requeue.reason());
                }
                return outcome;
            }
            case TOKEN_STALE:
                // the transport refreshes once itself; a stale token left over means the refreshed one was refused too
                pause.pause(route, gate, failed.explanation(), now, true);
                return retry.retry(mail, pending, FailureKind.CREDENTIAL_BROKEN, failed.explanation(), now, Optional.of(gate));
            default:
                if (failed.kind() == FailureKind.CREDENTIAL_BROKEN || failed.kind() == FailureKind.POLICY) {
                    // no token, a token refused after a refresh, no Mail.Send, no such mailbox: the same for every message
                    // of the route, which waits as a whole for one probe per interval, as an SMTP route does
                    pause.pause(route, gate, failed.explanation(), now, failed.status() == 401);
                }
                return retry.retry(mail, pending, failed.kind(), failed.explanation(), now, Optional.of(gate));
        }
    }

    /** A request slot of the route, waiting up to the relay's {@code connectionWait} for one. */
    private boolean takeSlot(RouteGate gate) {
        long deadline = System.nanoTime() + slotWait.toNanos();
        while (!gate.tryOpen()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            try {
                gate.awaitSlot(Math.max(1, left / 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }
}
