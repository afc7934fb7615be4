/**
 * The relay's operations side in James: health check, WebAdmin route and metrics.
 *
 * <h2>How James reaches a mailet's state</h2>
 * James' mailet loader builds {@link org.jamespack.relay.XOAuth2Relay} itself, so no Guice binding
 * points at it. The mailet's {@code @Inject} constructor takes the Guice singleton
 * {@link org.jamespack.relay.ops.RelayRegistry}; at the end of {@code init()} the mailet registers its
 * {@link org.jamespack.relay.ops.RouteReports} (the {@link org.jamespack.relay.ops.RelayView} built from its
 * delivery, routes, token sources and queue) and publishes its smart-hosts file's routes for
 * {@code SenderHasRoute}; it withdraws both in {@code destroy()}. {@link org.jamespack.relay.ops.RelayHealthCheck} and
 * {@link org.jamespack.relay.ops.RelayWebAdminRoutes} read the same registry.
 * Under James' own launcher the {@link org.jamespack.relay.ops.RelayAddOn} service entry of this
 * jar binds the three in James' extension injector ({@code org.jamespack.auth.james.PackExtensionModule});
 * the check and the routes are then named in {@code healthcheck.properties}
 * ({@code additional.healthchecks}) and {@code webadmin.properties} ({@code extensions.routes}).
 * Code that builds James itself installs {@link org.jamespack.relay.ops.RelayOpsModule} instead.
 *
 * <h2>In WebAdmin</h2>
 * <table>
 * <caption>Endpoints</caption>
 * <tr><th>endpoint</th><th>answer</th></tr>
 * <tr><td>{@code GET /healthcheck}, {@code GET /healthcheck/checks/xoauth2-relay}</td><td>James' health check answer:
 *   the worst route's state (healthy, degraded: 200; unhealthy: 503), each route that is not healthy named in the cause</td></tr>
 * <tr><td>{@code GET /xoauth2-relay/routes}</td><td>JSON array, one object per route: {@code mailet}, {@code queue},
 *   {@code senderKey}, {@code smarthost}, {@code account}, {@code credential} ({@code oauth=REF}, {@code password},
 *   {@code none}), {@code origin}, {@code health}, {@code healthReason}, {@code tokenExpiry}, {@code lastRefresh},
 *   {@code lastFailureKind}, {@code lastFailure}, {@code refreshTokenAge} (ISO-8601), {@code endpointCalls},
 *   {@code queued} (null when the queue cannot be browsed). No secret.</td></tr>
 * <tr><td>{@code POST /xoauth2-relay/accounts/{account}/reset}</td><td>after fixing an account: forgets the broken state of
 *   its token sources and the refusals of its routes and fetches a token at once; 204, or 404 when no route uses the
 *   account. Queued mail then goes at its next retry, or at once after James'
 *   {@code PATCH /mailQueues/xoauth2-relay/mails?delayed=true} with {@code {"delayed": false}}</td></tr>
 * </table>
 * Health rules: {@link org.jamespack.relay.ops.RouteHealth}; settings {@code tokenUpkeep},
 * {@code refreshTokenMaxAge} and {@code brokerFile} of the mailet (see {@code org.jamespack.relay}).
 *
 * <h2>Metrics</h2>
 * Through James' {@code MetricFactory} (Dropwizard in the Guice servers: James' metric registry,
 * JMX, and WebAdmin {@code GET /metrics} in Prometheus format when {@code webadmin.properties} has
 * {@code extensions.routes=org.apache.james.webadmin.dropwizard.MetricsRoutes}). {@code ROUTE} is the
 * route's sender key ({@code *} as {@code default}, mail without route as {@code none}),
 * {@code ACCOUNT} the token account; characters other than letters, digits, {@code @ . _ -} become
 * {@code _}.
 * <table>
 * <caption>Metric names</caption>
 * <tr><th>name</th><th>type</th><th>counts</th></tr>
 * <tr><td>{@code jamespack.relay.sent.ROUTE}</td><td>counter</td><td>delivery attempts that delivered a message to at least one recipient</td></tr>
 * <tr><td>{@code jamespack.relay.deferred.ROUTE}</td><td>counter</td><td>attempts after which the message went back to the queue (any
 *   failure kind, sending limits, back-off)</td></tr>
 * <tr><td>{@code jamespack.relay.bounced.ROUTE}</td><td>counter</td><td>attempts that bounced the message for at least one recipient</td></tr>
 * <tr><td>{@code jamespack.token.refreshes.ACCOUNT}</td><td>counter</td><td>token endpoint (or broker) calls</td></tr>
 * <tr><td>{@code jamespack.token.failures.ACCOUNT}</td><td>counter</td><td>of those, the ones that failed</td></tr>
 * </table>
 * The authenticators' metrics ({@code jamespack.auth.…}) are listed in {@code org.jamespack.auth.james}.
 */
@NullMarked
package org.jamespack.relay.ops;

import org.jspecify.annotations.NullMarked;
