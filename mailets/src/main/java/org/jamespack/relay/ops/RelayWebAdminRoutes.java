package org.jamespack.relay.ops;

import java.util.List;

import javax.inject.Inject;

import org.apache.james.webadmin.Constants;
import org.apache.james.webadmin.Routes;
import org.apache.james.webadmin.utils.ErrorResponder;
import org.apache.james.webadmin.utils.JsonTransformer;
import org.jspecify.annotations.Nullable;

import net.jcip.annotations.ThreadSafe;
import spark.Service;

/**
 * WebAdmin's view of the relay: {@code GET /xoauth2-relay/routes} lists every route of every
 * relay mailet as JSON (sender key, smarthost, account, credential reference, health and reason,
 * token expiry, last refresh, last failure, refresh token age, endpoint calls, queued mail, since when a
 * route is paused and its next probe, and the plain-language diagnosis of its last failure).
 * {@code POST /xoauth2-relay/accounts/{account}/reset} is the operator's "fixed it" (204; 404 for an
 * account no route uses): see {@link RelayView#resetAccount}; mail waiting in the relay's queue is
 * then sent at its next retry, or at once after James' own
 * {@code PATCH /mailQueues/xoauth2-relay/mails?delayed=true} with {@code {"delayed": false}}.
 * Thread-safe. No secret can reach the answer: it is built from {@link RouteReport}s, which hold
 * none (an {@code oauth=} value is a source name or a file path; a password route says
 * {@code password}).
 */
@ThreadSafe
public final class RelayWebAdminRoutes implements Routes {

    public static final String BASE = "/xoauth2-relay";
    public static final String ROUTES = BASE + "/routes";
    public static final String RESET = BASE + "/accounts/:account/reset";

    private final RelayRegistry registry;
    private final JsonTransformer json;

    @Inject
    public RelayWebAdminRoutes(RelayRegistry registry, JsonTransformer json) {
        this.registry = registry;
        this.json = json;
    }

    @Override
    public String getBasePath() {
        return BASE;
    }

    @Override
    public void define(Service service) {
        service.get(ROUTES, (request, response) -> {
            response.type(Constants.JSON_CONTENT_TYPE);
            return list();
        }, json);
        service.post(RESET, (request, response) -> {
            String account = request.params("account");
            int routes = registry.relays().stream().mapToInt(r -> r.resetAccount(account)).sum();
            if (routes == 0) {
                throw ErrorResponder.builder()
                    .statusCode(404)
                    .type(ErrorResponder.ErrorType.NOT_FOUND)
                    .message("no relay route authenticates as " + account)
                    .haltError();
            }
            response.status(204);
            return Constants.EMPTY_BODY;
        });
    }

    List<RouteDto> list() {
        return registry.relays().stream().flatMap(r -> r.routeReports(true).stream()).map(RouteDto::of).toList();
    }

    /** The JSON shape of one route: plain strings and numbers, ISO-8601 instants and durations. */
    public record RouteDto(String mailet, String queue, String senderKey, String smarthost, String account, String credential,
                           String origin, String health, String healthReason, @Nullable String tokenExpiry,
                           @Nullable String lastRefresh, @Nullable String lastFailureKind, @Nullable String lastFailure,
                           @Nullable String refreshTokenAge, long endpointCalls, @Nullable Long queued,
                           @Nullable String pausedSince, @Nullable String nextProbe, List<String> diagnosis) {

        static RouteDto of(RouteReport r) {
            return new RouteDto(r.mailet(), r.queue(), r.senderKey(), r.smarthost(), r.account(), r.credential(), r.origin(),
                r.health().state().name(), r.health().reason(), r.tokenExpiry().map(Object::toString).orElse(null),
                r.lastRefresh().map(Object::toString).orElse(null), r.lastFailureKind().map(Enum::name).orElse(null),
                r.lastFailure().orElse(null), r.refreshTokenAge().map(Object::toString).orElse(null), r.endpointCalls(),
                r.queued().isPresent() ? r.queued().getAsLong() : null, r.pausedSince().map(Object::toString).orElse(null),
                r.nextProbe().map(Object::toString).orElse(null), r.diagnosis());
        }
    }
}
