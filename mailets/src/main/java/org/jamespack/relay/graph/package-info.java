/**
 * A second transport for relay routes: Microsoft Graph's {@code sendMail} in place of SMTP, for Microsoft 365 tenants
 * that have SMTP AUTH switched off ({@code 535 5.7.139}). The message goes as MIME, base64-encoded, in
 * {@code POST {graph}/users/{mailbox}/sendMail} with {@code Content-Type: text/plain} and the route's bearer token;
 * Graph answers {@code 202 Accepted} and keeps a copy in the mailbox's Sent Items.
 *
 * <ul>
 *   <li>{@link org.jamespack.relay.graph.GraphMessage}: the request body; recipient headers matched to the envelope
 *   (Graph sends to the headers), the 4 MB request limit;</li>
 *   <li>{@link org.jamespack.relay.graph.GraphClient}: the HTTP call (JDK client, TLS checked, no redirects, time-outs);</li>
 *   <li>{@link org.jamespack.relay.graph.GraphAnswers}: Graph's answers in the relay's failure classes;</li>
 *   <li>{@link org.jamespack.relay.graph.GraphTransport}: one attempt with the route's token, refreshed once on 401;</li>
 *   <li>{@link org.jamespack.relay.graph.GraphTokenCheck}: whether a token is fit for {@code sendMail}, for
 *   {@code token test}.</li>
 * </ul>
 *
 * <table>
 * <caption>Route settings for Graph (in the smart-hosts syntax of {@code org.jamespack.relay.route})</caption>
 * <tr><th>key</th><th>type</th><th>default</th><th>meaning</th></tr>
 * <tr><td>{@code transport}</td><td>{@code smtp|graph}</td><td>{@code smtp}</td><td>{@code graph}: send through Graph;
 *   then {@code user} (the sending mailbox) and {@code oauth} are required, and {@code host}, {@code port}, {@code tls},
 *   {@code helo}, {@code mechanism} and {@code password} are not taken</td></tr>
 * <tr><td>{@code graph-url}</td><td>URL</td><td>{@code https://graph.microsoft.com/v1.0}</td><td>Graph's base URL
 *   (national clouds: {@code https://graph.microsoft.us/v1.0}, {@code https://microsoftgraph.chinacloudapi.cn/v1.0});
 *   https, plain http only to loopback</td></tr>
 * </table>
 * The token source named by {@code oauth=} must issue Graph tokens: client credentials with scope
 * {@code https://graph.microsoft.com/.default} and the application permission {@code Mail.Send}, or a delegated token
 * with {@code Mail.Send}. Sending limits ({@code messages-per-minute}, {@code recipients-per-day}, {@code connections},
 * {@code preset}) apply as for SMTP routes; {@code connections} bounds the Graph requests in flight for the mailbox.
 * The mailet's {@code connectTimeout}, {@code readTimeout} (for the whole answer) and {@code trustStore} serve Graph too.
 */
@NullMarked
package org.jamespack.relay.graph;

import org.jspecify.annotations.NullMarked;
