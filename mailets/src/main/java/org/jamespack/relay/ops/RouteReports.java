package org.jamespack.relay.ops;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

import org.apache.james.queue.api.MailQueue;
import org.apache.james.queue.api.ManageableMailQueue;
import org.apache.mailet.Mail;
import org.jamespack.relay.delivery.RelayDelivery;
import org.jamespack.relay.delivery.RouteGate;
import org.jamespack.relay.diagnosis.Diagnosis;
import org.jamespack.relay.delivery.TokenSources;
import org.jamespack.relay.route.Route;
import org.jamespack.relay.route.RouteSource;
import org.jamespack.relay.token.TokenSource;
import org.jamespack.relay.token.TokenStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import net.jcip.annotations.ThreadSafe;

/**
 * The {@link RelayView} of one running relay, built from its parts (routes, token sources, delivery, queue) rather
 * than from the mailet: what the health check and WebAdmin show, and the operator's reset. Thread-safe: every part is.
 */
@ThreadSafe
public final class RouteReports implements RelayView {

    private static final Logger LOGGER = LoggerFactory.getLogger(RouteReports.class);

    private final String name;
    private final String queueName;
    private final MailQueue queue;
    private final RouteSource routes;
    private final TokenSources tokens;
    private final RelayDelivery delivery;
    private final RelayMetrics metrics;
    private final Clock clock;
    private final Duration refreshTokenMaxAge;

    /**
     * @param refreshTokenMaxAge a refresh token older than this makes its route DEGRADED
     */
    public RouteReports(String name, String queueName, MailQueue queue, RouteSource routes, TokenSources tokens,
                        RelayDelivery delivery, RelayMetrics metrics, Clock clock, Duration refreshTokenMaxAge) {
        this.name = name;
        this.queueName = queueName;
        this.queue = queue;
        this.routes = routes;
        this.tokens = tokens;
        this.delivery = delivery;
        this.metrics = metrics;
        this.clock = clock;
        this.refreshTokenMaxAge = refreshTokenMaxAge;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public List<RouteReport> routeReports(boolean countQueued) {
        Map<String, Long> queued = countQueued ? queuedPerRoute() : null;
        Instant now = clock.instant();
        List<RouteReport> out = new ArrayList<>();
        // sorted by sender key: the route table keeps no order an operator could rely on
        List<Route> sorted = new ArrayList<>(routes.current().routes());
        sorted.sort(Comparator.comparing(Route::key));
        for (Route r : sorted) {
            Optional<TokenStatus> status = r.usesToken() ? tokens.forRoute(r).map(TokenSource::status) : Optional.empty();
            RouteGate gate = delivery.gate(r);
            Optional<String> refused = gate.unhealthy();
            RouteHealth health = r.usesToken() && status.isEmpty()
                ? new RouteHealth(RouteHealth.State.UNHEALTHY, "no token source for oauth=" + r.oauth().get())
                : RouteHealth.of(refused, status, now, refreshTokenMaxAge);
            String credential = r.oauth().map(o -> "oauth=" + o).orElse(r.password().isPresent() ? "password" : "none");
            Optional<String> failure = status.flatMap(TokenStatus::lastFailure).or(() -> refused);
            List<Diagnosis> advice = health.state() == RouteHealth.State.HEALTHY ? List.of()
                : Diagnosis.explain(failure.orElse("") + " " + health.reason());
            Optional<Instant> pausedSince = gate.pausedSince();
            health = described(health, pausedSince, gate.nextProbe(), advice);
            out.add(new RouteReport(name, queueName, r.key(), r.smarthost(), r.account(), credential, r.origin(), health,
                status.flatMap(TokenStatus::expiry), status.flatMap(TokenStatus::lastRefresh),
                status.flatMap(TokenStatus::lastFailureKind), failure, status.flatMap(TokenStatus::refreshTokenAge),
                status.map(TokenStatus::endpointCalls).orElse(0L),
                queued == null ? OptionalLong.empty() : OptionalLong.of(queued.getOrDefault(r.key(), 0L)), pausedSince,
                gate.nextProbe(), advice.stream().map(Diagnosis::line).toList()));
        }
        return out;
    }

    /**
     * The health with what an operator acts on: the pause first (a paused route is unhealthy: its mail is held), then
     * the reason, then the diagnosis of the failure, as {@code token test} gives it for the same reply.
     */
    private static RouteHealth described(RouteHealth health, Optional<Instant> pausedSince, Optional<Instant> nextProbe,
                                         List<Diagnosis> advice) {
        String reason = health.reason();
        RouteHealth.State state = health.state();
        if (pausedSince.isPresent()) {
            state = RouteHealth.State.UNHEALTHY;
            reason = "paused since " + pausedSince.get() + ", mail held, next probe " + nextProbe.map(Object::toString).orElse("now")
                + (reason.isEmpty() ? "" : ": " + reason);
        }
        if (!advice.isEmpty()) {
            reason = reason + " — diagnosis: " + String.join("; ", advice.stream().map(Diagnosis::line).toList());
        }
        return new RouteHealth(state, reason);
    }

    @Override
    public int resetAccount(String account) {
        int n = 0;
        for (Route r : routes.current().routes()) {
            if (!r.account().equalsIgnoreCase(account)) {
                continue;
            }
            n++;
            delivery.gate(r).forgetRefusal();
            if (r.usesToken()) {
                tokens.forRoute(r).ifPresent(source -> {
                    source.reset();
                    source.token(false);
                    metrics.tokenObserved(source.status());
                });
            }
        }
        if (n > 0) {
            LOGGER.info("XOAuth2Relay {}: {} route(s) of {} reset by an operator", name, n, account);
        }
        return n;
    }

    /** Messages waiting per route key, or null when the queue cannot be browsed. */
    private Map<String, Long> queuedPerRoute() {
        if (!(queue instanceof ManageableMailQueue manageable)) {
            return null;
        }
        Map<String, Long> counts = new LinkedHashMap<>();
        try {
            ManageableMailQueue.MailQueueIterator it = manageable.browse();
            try {
                while (it.hasNext()) {
                    // browsed mails are the queue's, not copies (memory queue): never disposed here
                    Mail m = it.next().getMail();
                    delivery.routeFor(m).ifPresent(r -> counts.merge(r.key(), 1L, Long::sum));
                }
            } finally {
                it.close();
            }
        } catch (MailQueue.MailQueueException | RuntimeException e) {
            LOGGER.warn("XOAuth2Relay {}: cannot browse queue {}: {}", name, queueName, e.toString());
            return null;
        }
        return counts;
    }
}
