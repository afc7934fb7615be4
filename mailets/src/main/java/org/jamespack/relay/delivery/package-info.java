/**
 * What happens to a queued message: {@link org.jamespack.relay.delivery.RelayDelivery} runs one
 * attempt (route, limits, token, connection, send) and decides — done, or back to the queue with
 * a delay; {@link org.jamespack.relay.delivery.RetrySchedule} reads exim retry rules;
 * {@link org.jamespack.relay.delivery.RouteGate} keeps each mailbox's limits, back-off, idle
 * connections, health and route-wide pause (a broken credential or a refused AUTH: one probe per
 * {@code brokenRouteProbeInterval}, the other messages held without token or connection);
 * {@link org.jamespack.relay.delivery.MailetBounces} bounces through James and sends the delay warnings
 * ({@link org.jamespack.relay.delivery.DelayNotice}, RFC 3464 {@code action=delayed});
 * {@link org.jamespack.relay.delivery.SubmitterCheck} decides whether a message may use its route's account (the
 * submitter must own the sender, or be named by the route; see {@code org.jamespack.relay}).
 *
 * <table>
 * <caption>What each failure kind does</caption>
 * <tr><th>kind</th><th>examples</th><th>action</th></tr>
 * <tr><td>transient</td><td>4xx, 421, 454, network, token endpoint 5xx</td><td>retry per schedule; bounce at its end; 4xx pauses the route</td></tr>
 * <tr><td>token stale</td><td>535 after a cached token, 501 5.5.127</td><td>refresh once, retry at once</td></tr>
 * <tr><td>credential broken</td><td>invalid_grant, 501 5.5.124, 535 after a refresh</td><td>stay queued, ERROR log with the diagnosis, route unhealthy and paused (one probe per interval), one delay warning after {@code delayWarningAfter}; never bounced</td></tr>
 * <tr><td>policy</td><td>535 5.7.139, 550 5.7.30, no TLS</td><td>stay queued, ERROR log with the diagnosis, retry slowly (a refused AUTH pauses the route), one delay warning after {@code delayWarningAfter}, bounce at the schedule's end</td></tr>
 * <tr><td>permanent</td><td>5xx to RCPT/DATA, 554 5.2.252, 5.7.60</td><td>DSN for the recipients concerned, never retried</td></tr>
 * </table>
 *
 * <p>Mail attributes: {@code org.jamespack.relay.attempts} (Integer), {@code org.jamespack.relay.first-failure}
 * (Long, epoch ms; also set when a paused route first holds the message), {@code org.jamespack.relay.last-error} (String),
 * {@code org.jamespack.relay.delay-warned} (Long, epoch ms: the delay warning went out), {@code org.jamespack.relay.refused} (String, why the
 * sender check refused it); bounces carry James'
 * {@code delivery-error} and {@code delivery-error-code}.
 */
@NullMarked
package org.jamespack.relay.delivery;

import org.jspecify.annotations.NullMarked;
