package org.jamespack.relay.delivery;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

import javax.mail.MessagingException;

import org.apache.james.core.MailAddress;
import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeName;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.Mail;
import org.jamespack.foundation.Secret;
import org.jamespack.foundation.tls.TrustAnchors;
import org.jamespack.relay.diagnosis.Diagnosis;
import org.jamespack.relay.graph.GraphClient;
import org.jamespack.relay.graph.GraphTransport;
import org.jamespack.relay.route.Route;
import org.jamespack.relay.route.RouteSource;
import org.jamespack.relay.smtp.FailureClassifier;
import org.jamespack.relay.smtp.FailureClassifier.Phase;
import org.jamespack.relay.smtp.FailureKind;
import org.jamespack.relay.smtp.RelayConnection;
import org.jamespack.relay.smtp.SendResult;
import org.jamespack.relay.smtp.SenderRewrite;
import org.jamespack.relay.smtp.SmtpConnector;
import org.jamespack.relay.smtp.SmtpFailure;
import org.jamespack.relay.smtp.SmtpReply;
import org.jamespack.relay.smtp.SmtpSettings;
import org.jamespack.relay.smtp.TokenConnect;
import org.jamespack.relay.token.TokenOutcome;
import org.jamespack.relay.token.TokenSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import net.jcip.annotations.ThreadSafe;

/**
 * One delivery attempt of one queued message: route, limits, token, connection, send, and the
 * decision (done, or back to the queue with a delay). Thread-safe: many delivery threads call
 * {@link #deliver} at once; per-mailbox state lives in {@link RouteGate}s.
 *
 * <p>Never loses mail: a message leaves the queue only when each recipient was delivered or
 * bounced. Delivered recipients are removed before a re-queue, so a partial success delivers the
 * rest once only. Token and credential problems never bounce; policy refusals and transient
 * failures bounce only at the end of the retry schedule; permanent refusals bounce at once for
 * the recipients concerned. A refused token is refreshed once and retried at once. No token or
 * password is logged: routes print their password redacted, and failures hold server replies.
 *
 * <p>A route whose token source is CREDENTIAL_BROKEN, or whose smarthost refuses AUTH for a reason
 * a new token does not cure, pauses as a whole ({@link RouteGate#pause}): its other messages go back
 * to the queue until the next probe without a token or connection, and one probe per
 * {@code probeInterval} finds out whether an operator fixed it. Mail held that way (or failing on its
 * credential) for {@code delayWarningAfter} gets one delay warning ({@link Bounces#delayed}), marked
 * in {@link #DELAY_WARNED}. Failures are logged with their plain-language diagnosis.
 */
@ThreadSafe
public final class RelayDelivery implements AutoCloseable {

    /** Delivery attempts that failed so far (Integer). */
    public static final AttributeName ATTEMPTS = AttributeName.of("org.jamespack.relay.attempts");
    /** When the first attempt failed (Long, epoch milliseconds): the retry schedule counts from it. */
    public static final AttributeName FIRST_FAILURE = AttributeName.of("org.jamespack.relay.first-failure");
    /** The last failure, for operators (String, no secret). */
    public static final AttributeName LAST_ERROR = AttributeName.of("org.jamespack.relay.last-error");
    /**
     * When the sender was sent the delay warning (Long, epoch milliseconds): it travels with the mail through the queue
     * and the journal, so that the warning goes once, restarts included.
     */
    public static final AttributeName DELAY_WARNED = AttributeName.of("org.jamespack.relay.delay-warned");

    private static final Logger LOGGER = LoggerFactory.getLogger(RelayDelivery.class);

    private final RouteSource routes;
    private final TokenSources tokens;
    private final SmtpConnector connector;
    private final RelaySettings settings;
    private final Bounces bounces;
    private final Clock clock;
    private final ConcurrentMap<String, RouteGate> gates = new ConcurrentHashMap<>();
    private final Holds holds;
    private final GraphDelivery graph;

    public RelayDelivery(RouteSource routes, TokenSources tokens, SmtpConnector connector, RelaySettings settings, Bounces bounces,
                         Clock clock) {
        this.routes = routes;
        this.tokens = tokens;
        this.connector = connector;
        this.settings = settings;
        this.bounces = bounces;
        this.clock = clock;
        this.holds = new Holds(settings.delayWarningAfter(), bounces);
        // Graph routes share the mailet's time-outs and trust store with the smarthosts
        SmtpSettings smtp = connector.settings();
        this.graph = new GraphDelivery(new GraphTransport(new GraphClient(smtp.connectTimeout(), smtp.readTimeout(),
            Optional.of(TrustAnchors.trustStoreContext(smtp.trustStore(), smtp.trustStorePassword(), smtp.trustStoreType())), clock)),
            bounces, settings.connectionWait(), this::retry, this::pauseRoute);
    }

    /** The route for {@code mail}'s sender now; for the null sender only with the {@code default-route} policy. */
    public Optional<Route> routeFor(Mail mail) {
        if (!mail.hasSender()) {
            return settings.nullSender() == Policy.DEFAULT_ROUTE ? routes.current().defaultRoute() : Optional.empty();
        }
        return routes.current().lookup(mail.getMaybeSender().get().asString());
    }

    /** The gate (limits, back-off, idle connections, health) of {@code route}'s mailbox. */
    public RouteGate gate(Route route) {
        String key = route.account() + "|" + route.smarthost() + "|" + route.limits();
        return gates.computeIfAbsent(key, k -> new RouteGate(route.account(), route.limits(), settings.backOffBase(),
            settings.backOffMax(), settings.probeInterval()));
    }

    /** Gates that are unhealthy now (credential or policy failures), for health checks. */
    public Map<String, String> unhealthy() {
        Map<String, String> out = new LinkedHashMap<>();
        for (RouteGate g : gates.values()) {
            g.unhealthy().ifPresent(why -> out.put(g.account(), why));
        }
        return out;
    }

    /** One attempt for {@code mail}; the caller removes it from the queue or re-queues it as told. */
    public DeliveryOutcome deliver(Mail mail) {
        Instant now = clock.instant();
        List<MailAddress> pending = new ArrayList<>(mail.getRecipients());
        if (pending.isEmpty()) {
            return new DeliveryOutcome.Done(0, 0);
        }
        Optional<Route> found = routeFor(mail);
        if (found.isEmpty()) {
            return retry(mail, pending, FailureKind.TRANSIENT, "no route for sender " + sender(mail), now, Optional.empty());
        }
        Route route = found.get();
        RouteGate gate = gate(route);
        RouteGate.Entry entry = gate.enter(now);
        if (entry instanceof RouteGate.Entry.Wait held) {
            return holds.hold(mail, pending, route, held, now);
        }
        if (entry instanceof RouteGate.Entry.Probe probe) {
            LOGGER.info("route of {} via {} paused since {}: mail {} probes it", route.account(), route.smarthost(),
                gate.pausedSince().orElse(now), mail.getName());
            try {
                return attempt(mail, pending, route, gate, probe.refreshFirst(), now);
            } finally {
                gate.endProbe();
            }
        }
        return attempt(mail, pending, route, gate, false, now);
    }

    /** One delivery attempt through {@code gate}; {@code freshToken}: a paused route's probe after a refused AUTH. */
    private DeliveryOutcome attempt(Mail mail, List<MailAddress> pending, Route route, RouteGate gate, boolean freshToken,
                                    Instant now) {
        Optional<Duration> wait = gate.admit(pending.size(), now);
        if (wait.isPresent()) {
            LOGGER.debug("mail {} waits {} for the limits or back-off of {}", mail.getName(), wait.get(), route.account());
            return new DeliveryOutcome.Requeue(wait.get(), "sending limit or back-off of " + route.account());
        }

        Optional<TokenSource> source = Optional.empty();
        if (route.usesToken()) {
            source = tokens.forRoute(route);
            if (source.isEmpty()) {
                pauseRoute(route, gate, "no token source for oauth=" + route.oauth().get(), now, false);
                return retry(mail, pending, FailureKind.CREDENTIAL_BROKEN, "route " + route.key() + " (" + route.origin()
                    + "): no token source for oauth=" + route.oauth().get(), now, Optional.of(gate));
            }
        }
        if (route.usesGraph()) {
            byte[] message;
            try {
                message = bytes(mail);
            } catch (IOException | MessagingException e) {
                return retry(mail, pending, FailureKind.TRANSIENT, "message " + mail.getName() + " cannot be read: " + e, now,
                    Optional.empty());
            }
            return graph.deliver(mail, message, pending, route, gate, source.orElseThrow(), rewrite(mail, route), now);
        }
        TokenConnect.Steps steps = new TokenConnect.Steps() {
            @Override
            public void refreshing(SmtpFailure refusal) {
                LOGGER.info("{} refused the token of {} ({}); refreshing it once and retrying at once", route.smarthost(),
                    route.account(), refusal.reply());
            }
        };
        TokenConnect.Result connected = TokenConnect.connect(route, source, (as, credential) -> acquire(gate, as, credential, now),
            steps, freshToken);
        if (connected instanceof TokenConnect.NoToken noToken) {
            return tokenFailure(mail, pending, route, gate, noToken.failure(), now);
        }
        if (connected instanceof TokenConnect.Busy) {
            return new DeliveryOutcome.Requeue(Duration.ofSeconds(5), "all connections of " + route.account() + " busy");
        }
        if (connected instanceof TokenConnect.Failed failed) {
            return connectionFailure(mail, pending, route, gate, failed.failure(), failed.kind(), now);
        }

        RelayConnection connection = ((TokenConnect.Connected) connected).connection();
        if (gate.pausedSince().isPresent()) {
            LOGGER.info("route of {} via {} resumes: the smarthost took its credential again", route.account(), route.smarthost());
        }
        gate.resume();
        byte[] bytes;
        try {
            bytes = bytes(mail);
        } catch (IOException | MessagingException e) {
            gate.release(connection, connection.isUsable());
            return retry(mail, pending, FailureKind.TRANSIENT, "message " + mail.getName() + " cannot be read: " + e, now,
                Optional.empty());
        }
        Optional<SenderRewrite> rewrite = rewrite(mail, route);
        String from = rewrite.map(SenderRewrite::replacement).orElse(sender(mail));
        List<String> rcpts = new ArrayList<>();
        pending.forEach(a -> rcpts.add(a.asString()));
        SendResult result = connection.send(mail.hasSender() ? from : "", rcpts, bytes, rewrite, DsnRequests.of(mail));
        // idleTimeout=0: a connection per message, closed as soon as it has done its work
        gate.release(connection, connection.mayKeep() && !connector.settings().idleTimeout().isZero());
        return settle(mail, pending, route, gate, result, now);
    }

    /** With {@code rewriteSender}, mail of another sender than the route's account goes out as the account. */
    private Optional<SenderRewrite> rewrite(Mail mail, Route route) {
        String from = sender(mail);
        if (settings.rewriteSender() && route.user().isPresent() && mail.hasSender() && !from.equalsIgnoreCase(route.user().get())) {
            return Optional.of(new SenderRewrite(from, route.user().get()));
        }
        return Optional.empty();
    }

    private DeliveryOutcome settle(Mail mail, List<MailAddress> pending, Route route, RouteGate gate, SendResult result, Instant now) {
        List<MailAddress> remaining = new ArrayList<>();
        Map<String, List<MailAddress>> permanent = new LinkedHashMap<>();
        Map<String, Integer> codes = new LinkedHashMap<>();
        FailureKind worst = null;
        String worstDetail = "";
        boolean backOff = false;
        for (MailAddress a : pending) {
            String r = a.asString();
            if (result.delivered().contains(r)) {
                continue;
            }
            SmtpReply refusal = result.refused().get(r);
            if (refusal != null) {
                FailureKind kind = FailureClassifier.classify(Phase.RCPT, refusal, route.usesToken(), false);
                backOff |= FailureClassifier.shouldBackOff(refusal);
                if (kind == FailureKind.PERMANENT) {
                    permanent.computeIfAbsent(refusal.toString(), k -> new ArrayList<>()).add(a);
                    codes.put(refusal.toString(), refusal.code());
                } else {
                    remaining.add(a);
                    worst = worse(worst, kind);
                    worstDetail = r + ": " + refusal;
                }
                continue;
            }
            SmtpFailure f = result.failure().orElse(null);
            if (f == null) {
                // neither delivered nor refused nor failed: Angus did not report it; deliver it again later
                remaining.add(a);
                worst = worse(worst, FailureKind.TRANSIENT);
                worstDetail = r + ": no outcome reported";
                continue;
            }
            FailureKind kind = f.classify(route.usesToken(), false);
            backOff |= FailureClassifier.shouldBackOff(f.reply());
            if (kind == FailureKind.PERMANENT) {
                permanent.computeIfAbsent(f.reply().toString(), k -> new ArrayList<>()).add(a);
                codes.put(f.reply().toString(), f.reply().code());
            } else {
                remaining.add(a);
                worst = worse(worst, kind);
                worstDetail = f.toString();
            }
        }
        int delivered = result.delivered().size();
        if (delivered > 0) {
            gate.succeeded();
            LOGGER.info("relayed mail {} from {} for {} recipient(s) via {} as {}", mail.getName(), sender(mail), delivered,
                route.smarthost(), route.account());
        }
        if (backOff) {
            Duration pause = gate.backOff(now);
            LOGGER.warn("{} answered 4xx for {}; pausing that route {}", route.smarthost(), route.account(), pause);
        }
        int bounced = 0;
        for (Map.Entry<String, List<MailAddress>> e : permanent.entrySet()) {
            LOGGER.info("mail {} from {}: {} refused permanently by {}: {}; bouncing", mail.getName(), sender(mail), e.getValue(),
                route.smarthost(), e.getKey());
            bounces.bounce(mail, e.getValue(), "Remote mail server " + route.smarthost() + " told me: " + e.getKey(),
                codes.get(e.getKey()));
            bounced += e.getValue().size();
        }
        if (remaining.isEmpty()) {
            return new DeliveryOutcome.Done(delivered, bounced);
        }
        return retry(mail, remaining, worst, worstDetail, now, Optional.of(gate));
    }

    private static FailureKind worse(FailureKind current, FailureKind next) {
        if (current == null) {
            return next;
        }
        // credential > policy > transient: the slowest and loudest handling wins for the message
        return rank(next) > rank(current) ? next : current;
    }

    private static int rank(FailureKind k) {
        switch (k) {
            case CREDENTIAL_BROKEN: return 3;
            case POLICY: return 2;
            default: return 1;
        }
    }

    private DeliveryOutcome connectionFailure(Mail mail, List<MailAddress> pending, Route route, RouteGate gate, SmtpFailure f,
                                              FailureKind kind, Instant now) {
        if (FailureClassifier.shouldBackOff(f.reply())) {
            gate.backOff(now);
        }
        if (f.phase() == Phase.AUTH && (kind == FailureKind.CREDENTIAL_BROKEN || kind == FailureKind.POLICY)) {
            // a refusal no new token cures (or one already refused after a refresh): the whole route waits for a probe
            pauseRoute(route, gate, f.toString(), now, kind == FailureKind.CREDENTIAL_BROKEN);
        }
        if (kind == FailureKind.PERMANENT) {
            // a permanent refusal before any recipient was named (e.g. 554 5.2.252 at MAIL): every recipient
            bounces.bounce(mail, pending, "Remote mail server " + route.smarthost() + " told me: " + f.reply(), f.reply().code());
            return new DeliveryOutcome.Done(0, pending.size());
        }
        return retry(mail, pending, kind == FailureKind.TOKEN_STALE ? FailureKind.CREDENTIAL_BROKEN : kind, f.toString(), now,
            Optional.of(gate));
    }

    private DeliveryOutcome tokenFailure(Mail mail, List<MailAddress> pending, Route route, RouteGate gate, TokenOutcome.Failure failure,
                                         Instant now) {
        FailureKind kind = failure.kind() == TokenOutcome.Kind.CREDENTIAL_BROKEN ? FailureKind.CREDENTIAL_BROKEN : FailureKind.TRANSIENT;
        if (kind == FailureKind.CREDENTIAL_BROKEN) {
            pauseRoute(route, gate, "no token for " + route.account() + ": " + failure.detail(), now, false);
        }
        return retry(mail, pending, kind, "no token for " + route.account() + ": " + failure.detail(), now, Optional.of(gate));
    }

    private void pauseRoute(Route route, RouteGate gate, String reason, Instant now, boolean refreshFirst) {
        boolean already = gate.pausedSince().isPresent();
        gate.pause(reason, now, refreshFirst);
        if (!already) {
            LOGGER.error("RELAY ROUTE PAUSED: the route of {} via {} waits for an operator; its mail stays queued and one message"
                + " probes it every {}: {}{}", route.account(), route.smarthost(), settings.probeInterval(), reason, advice(reason));
        }
    }

    /** The plain-language diagnosis of {@code detail} for a log line, or "". */
    private static String advice(String detail) {
        String summary = Diagnosis.summary(detail);
        return summary.isEmpty() ? "" : " — diagnosis: " + summary;
    }

    private DeliveryOutcome retry(Mail mail, List<MailAddress> pending, FailureKind kind, String detail, Instant now,
                                  Optional<RouteGate> gate) {
        int attempts = mail.getAttribute(ATTEMPTS).map(a -> a.getValue().getValue()).filter(Integer.class::isInstance)
            .map(Integer.class::cast).orElse(0) + 1;
        long first = mail.getAttribute(FIRST_FAILURE).map(a -> a.getValue().getValue()).filter(Long.class::isInstance)
            .map(Long.class::cast).orElse(now.toEpochMilli());
        Duration elapsed = Duration.between(Instant.ofEpochMilli(first), now);
        if (elapsed.isNegative()) {
            elapsed = Duration.ZERO;
        }
        mail.setRecipients(pending);
        mail.setAttribute(new Attribute(ATTEMPTS, AttributeValue.of(attempts)));
        mail.setAttribute(new Attribute(FIRST_FAILURE, AttributeValue.of(first)));
        mail.setAttribute(new Attribute(LAST_ERROR, AttributeValue.of(kind + ": " + detail)));
        Optional<Duration> next = settings.schedule().nextDelay(elapsed);
        switch (kind) {
            case CREDENTIAL_BROKEN: {
                gate.ifPresent(g -> g.markUnhealthy(detail));
                Duration delay = untilProbe(gate, now).orElse(max(next.orElse(settings.schedule().lastInterval()), settings.slowRetry()));
                LOGGER.error("RELAY CREDENTIAL BROKEN: mail {} from {} stays queued (attempt {}, next in {}); an operator must "
                    + "fix the account: {}{}", mail.getName(), sender(mail), attempts, delay, detail, advice(detail));
                holds.warnIfLong(mail, pending, detail, Optional.empty(), now);
                return new DeliveryOutcome.Requeue(delay, detail);
            }
            case POLICY: {
                gate.ifPresent(g -> g.markUnhealthy(detail));
                if (next.isEmpty()) {
                    return giveUp(mail, pending, detail, elapsed);
                }
                Duration delay = untilProbe(gate, now).orElse(max(next.get(), settings.slowRetry()));
                LOGGER.error("RELAY REFUSED BY POLICY: mail {} from {} stays queued (attempt {}, next in {}): {}{}", mail.getName(),
                    sender(mail), attempts, delay, detail, advice(detail));
                holds.warnIfLong(mail, pending, detail, Optional.of(Instant.ofEpochMilli(first).plus(settings.schedule().lastCutoff())),
                    now);
                return new DeliveryOutcome.Requeue(delay, detail);
            }
            default: {
                if (next.isEmpty()) {
                    return giveUp(mail, pending, detail, elapsed);
                }
                LOGGER.warn("mail {} from {} deferred (attempt {}, next in {}): {}", mail.getName(), sender(mail), attempts,
                    next.get(), detail);
                return new DeliveryOutcome.Requeue(next.get(), detail);
            }
        }
    }

    /**
     * For a paused route, the time until its next probe: a refused message comes back with the others, so that whichever
     * is first probes and, once the route resumes, they all go out.
     */
    private static Optional<Duration> untilProbe(Optional<RouteGate> gate, Instant now) {
        return gate.flatMap(RouteGate::nextProbe).map(t -> t.isAfter(now) ? Duration.between(now, t) : Duration.ZERO);
    }

    private DeliveryOutcome giveUp(Mail mail, List<MailAddress> pending, String detail, Duration elapsed) {
        LOGGER.warn("mail {} from {}: giving up after {} ({}); bouncing {} recipient(s)", mail.getName(), sender(mail), elapsed,
            detail, pending.size());
        bounces.bounce(mail, pending, "Delivery kept failing for " + elapsed.toHours() + " hours; the last error was: " + detail, -1);
        return new DeliveryOutcome.Done(0, pending.size());
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    private static String sender(Mail mail) {
        return mail.getMaybeSender().asOptional().map(MailAddress::asString).orElse("");
    }

    private static byte[] bytes(Mail mail) throws IOException, MessagingException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        mail.getMessage().writeTo(out);
        return out.toByteArray();
    }

    /** A connection for the route from its idle ones or a new one, a connection failure, or busy (no slot within the wait). */
    private TokenConnect.Lease acquire(RouteGate gate, Route route, Optional<Secret> credential, Instant now) {
        long deadline = System.nanoTime() + settings.connectionWait().toNanos();
        while (true) {
            Optional<RelayConnection> idle = gate.takeIdle(now, connector.settings().idleTimeout());
            if (idle.isPresent() && sameSession(idle.get().route(), route)) {
                return new TokenConnect.Lease.Open(idle.get());
            }
            idle.ifPresent(c -> gate.release(c, false));
            if (gate.tryOpen()) {
                SmtpConnector.ConnectResult r = connector.connect(route, credential);
                if (r instanceof SmtpConnector.Connected c) {
                    return new TokenConnect.Lease.Open(c.connection());
                }
                gate.openFailed();
                return new TokenConnect.Lease.Refused(((SmtpConnector.Failed) r).failure());
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return new TokenConnect.Lease.Busy();
            }
            try {
                gate.awaitSlot(Math.max(1, left / 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return new TokenConnect.Lease.Busy();
            }
        }
    }

    /** Whether a connection opened for {@code a} serves {@code b} (same smarthost, TLS, HELO and account). */
    private static boolean sameSession(Route a, Route b) {
        return a.host().equalsIgnoreCase(b.host()) && a.port() == b.port() && a.tls() == b.tls() && a.helo().equals(b.helo())
            && a.user().equals(b.user()) && a.mechanism().equals(b.mechanism()) && a.oauth().equals(b.oauth())
            && a.password().equals(b.password());
    }

    /** Closes the idle connections of every route that waited {@code idleTimeout} or longer; how many. */
    public int closeExpiredIdle(Instant now) {
        int closed = 0;
        for (RouteGate gate : gates.values()) {
            closed += gate.closeIdleOlderThan(now, connector.settings().idleTimeout());
        }
        return closed;
    }

    /** Closes idle connections of every route. */
    public void closeIdle() {
        gates.values().forEach(RouteGate::closeIdle);
    }

    @Override
    public void close() {
        closeIdle();
    }
}
