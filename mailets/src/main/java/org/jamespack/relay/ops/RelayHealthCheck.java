package org.jamespack.relay.ops;

import java.util.ArrayList;
import java.util.List;

import javax.inject.Inject;

import org.apache.james.core.healthcheck.ComponentName;
import org.apache.james.core.healthcheck.HealthCheck;
import org.apache.james.core.healthcheck.Result;
import org.reactivestreams.Publisher;

import net.jcip.annotations.ThreadSafe;
import reactor.core.publisher.Mono;

/**
 * James' health check of the XOAUTH2 relay ({@code /healthcheck} and
 * {@code /healthcheck/checks/xoauth2-relay} in WebAdmin): the worst health of every route of every
 * relay mailet, with each route that is not healthy named in the cause. One check for all routes
 * because James' set of health checks is fixed when the server starts, while routes come and go
 * with the smart-hosts file; per-route detail is in {@code GET /xoauth2-relay/routes}.
 * Thread-safe; it only reads state (no token endpoint call), so probing it often costs nothing.
 */
@ThreadSafe
public final class RelayHealthCheck implements HealthCheck {

    /** The component name in WebAdmin's health check answers. */
    public static final ComponentName COMPONENT = new ComponentName("xoauth2-relay");

    private final RelayRegistry registry;

    @Inject
    public RelayHealthCheck(RelayRegistry registry) {
        this.registry = registry;
    }

    @Override
    public ComponentName componentName() {
        return COMPONENT;
    }

    @Override
    public Publisher<Result> check() {
        return Mono.fromCallable(this::evaluate);
    }

    Result evaluate() {
        RouteHealth.State worst = RouteHealth.State.HEALTHY;
        List<String> causes = new ArrayList<>();
        for (RelayView relay : registry.relays()) {
            for (RouteReport r : relay.routeReports(false)) {
                RouteHealth h = r.health();
                worst = worst.worst(h.state());
                if (h.state() != RouteHealth.State.HEALTHY) {
                    causes.add(h.state() + " route '" + r.senderKey() + "' (" + r.account() + " via " + r.smarthost() + ", mailet "
                        + r.mailet() + "): " + h.reason());
                }
            }
        }
        switch (worst) {
            case UNHEALTHY:
                return Result.unhealthy(COMPONENT, String.join("; ", causes));
            case DEGRADED:
                return Result.degraded(COMPONENT, String.join("; ", causes));
            default:
                return Result.healthy(COMPONENT);
        }
    }
}
