/**
 * The XOAUTH2 smarthost relay for James 3.8.1: the mailet {@link org.jamespack.relay.XOAuth2Relay}
 * (in place of RemoteDelivery for senders that have a route) and the matcher
 * {@link org.jamespack.relay.SenderHasRoute}. Helpers: {@code route} (routes per envelope sender,
 * exim smart-hosts file), {@code smtp} (Angus Mail client, SASL, failure classification),
 * {@code delivery} (queue decisions, limits, retries, bounces), {@code token} (token sources), {@code worker}
 * (the queue worker and the token upkeep), {@code ops} (health, WebAdmin, metrics). The mailet parses the table
 * below into {@code RelayConfig}, builds those parts and starts them.
 *
 * <p>In {@code mailetcontainer.xml}, processor {@code transport}, before RemoteDelivery:
 * <pre>{@code
 * <mailet match="org.jamespack.relay.SenderHasRoute=/etc/james/smart-hosts" class="org.jamespack.relay.XOAuth2Relay">
 *   <smartHostsFile>/etc/james/smart-hosts</smartHostsFile>
 *   <tokenSourcesFile>/etc/james/token-sources.xml</tokenSourcesFile>
 *   <bounceProcessor>bounces</bounceProcessor>
 *   <journal>file://var/mail/xoauth2-relay/</journal>
 * </mailet>
 * }</pre>
 *
 * <h2>Sender identity</h2>
 * The envelope sender picks the route, and the route's account is somebody's mailbox: without a check, any
 * authenticated user, and any local process, sends as another user through that user's token. So a message goes out
 * through an account ({@code user=}) only when (see {@link org.jamespack.relay.delivery.SubmitterCheck}): the submitter
 * James authenticated ({@code org.apache.james.SMTPAuthUser}) owns the sender — the same address, case-insensitive, or
 * one James maps to that user (its users repository without virtual hosting, recipient-rewrite aliases and domain
 * aliases, as James' own {@code verifyIdentity} does) — or the route names the submitters it takes
 * ({@code submitters=}); mail with nobody authenticated goes out only where {@code unauthenticated} allows it; the null
 * sender only through {@code nullSender=default-route}. The check runs when the mailet takes the mail and again
 * before each delivery (the route table may change in between). Routes without an account use nobody's credential and
 * are not checked, as RemoteDelivery is not.
 *
 * <p>Refused mail is not dropped: it goes to {@code refusedProcessor} (default James' {@code error}) with the reason,
 * and a WARN line names the submitter, the sender and the route. Not a bounce by default, because the envelope sender of
 * such mail is the very address being impersonated: a DSN would carry the message to the victim (or, for an outside
 * address, be backscatter), while the submitter, who should learn of it, is not the sender. A careful operator keeps the
 * message for inspection and is alerted; the samples route it to a {@code relay-refused} processor that stores it
 * without bouncing. Pair the relay with James' {@code verifyIdentity=true} on every SMTP server and no
 * {@code authorizedAddresses} beyond what must relay unauthenticated: then most forgeries are refused at
 * {@code MAIL FROM}, where the submitter's client sees the error, and this check is the backstop for what SMTP does
 * not see (senders of non-local domains, local processes, mailets).
 *
 * <h2>Init parameters</h2>
 * <table>
 * <caption>Settings (child elements of {@code <mailet>})</caption>
 * <tr><th>key</th><th>type</th><th>default</th><th>meaning</th></tr>
 * <tr><td>{@code queue}</td><td>name</td><td>{@code xoauth2-relay}</td><td>the relay's own mail queue; one per mailet instance</td></tr>
 * <tr><td>{@code journal}</td><td>mail repository URL</td><td>none</td><td>a persistent James mail repository (e.g.
 *   {@code file://var/mail/xoauth2-relay/}) holding every message until it is delivered or bounced; at start-up its
 *   messages are queued again. For James servers whose mail queue lives in memory (the memory server): without it a
 *   restart loses what was queued. One per mailet instance</td></tr>
 * <tr><td>{@code routes}</td><td>text</td><td>none</td><td>inline routes, one per line (indentation ignored), in smart-hosts
 *   syntax ({@code sender: host=H::PORT user=U oauth=REF}); they win over the file's</td></tr>
 * <tr><td>{@code smartHostsFile}</td><td>path</td><td>none</td><td>exim smart-hosts file; re-read when it changes;
 *   bad lines are logged (ERROR, file:line and key) and skipped</td></tr>
 * <tr><td>{@code smartHostsPoll}</td><td>duration</td><td>{@code 10s}</td><td>how often the files' mtimes are checked (smart-hosts and Postfix files)</td></tr>
 * <tr><td>{@code postfixRelayhostMapsFile}</td><td>path</td><td>none</td><td>Postfix's {@code sender_dependent_relayhost_maps}
 *   source file ({@code user@domain} or {@code @domain}, then {@code [host]:port}); re-read when it changes, bad lines
 *   logged (ERROR, file:line and key) and skipped (see {@code org.jamespack.relay.route.PostfixRoutes})</td></tr>
 * <tr><td>{@code postfixSaslPasswordMapsFile}</td><td>path</td><td>none</td><td>Postfix's {@code smtp_sasl_password_maps}
 *   source file: {@code username:/path/to/sasl-xoauth2-token-file} per sender (with sender-dependent authentication),
 *   host name or {@code [host]:port}</td></tr>
 * <tr><td>{@code postfixRelayhost}</td><td>{@code [host]:port}</td><td>none</td><td>main.cf's {@code relayhost}: the
 *   route ({@code *}) of senders the relayhost map does not name</td></tr>
 * <tr><td>{@code postfixSenderDependentAuthentication}</td><td>boolean</td><td>{@code false}</td><td>main.cf's
 *   {@code smtp_sender_dependent_authentication}: look the password map up by sender before the smarthost</td></tr>
 * <tr><td>{@code postfixSaslMechanism}</td><td>{@code xoauth2|oauthbearer|plain|login}</td><td>{@code xoauth2}</td><td>main.cf's
 *   {@code smtp_sasl_mechanism_filter}; with xoauth2/oauthbearer the password is the token file's path</td></tr>
 * <tr><td>{@code postfixChroot}</td><td>path</td><td>none</td><td>where Postfix's smtp(8) runs chrooted (e.g.
 *   {@code /var/spool/postfix}): token file paths of the password map are read below it, as sasl-xoauth2 does</td></tr>
 * <tr><td>{@code tokenSourcesFile}</td><td>path</td><td>none</td><td>XML file with {@code <tokenSource>} elements for the token registry
 *   (its token settings — {@code saslXoauth2Config}, {@code tokenRefreshWindow}, … — are read from this mailet's parameters)</td></tr>
 * <tr><td>{@code retrySchedule}</td><td>exim retry rules</td><td>{@code F,2h,15m; G,16h,1h,1.5; F,4d,6h}</td><td>when to retry;
 *   transient and policy failures bounce when it ends, credential failures never bounce</td></tr>
 * <tr><td>{@code slowRetry}</td><td>duration</td><td>{@code 1h}</td><td>shortest wait after a policy or credential failure</td></tr>
 * <tr><td>{@code noRoute}</td><td>{@code pass-through|defer|bounce}</td><td>{@code pass-through}</td><td>sender without a route:
 *   leave it to the next mailet, keep it queued until a route appears (bounce at the schedule's end), or bounce now</td></tr>
 * <tr><td>{@code nullSender}</td><td>{@code pass-through|defer|bounce|default-route}</td><td>{@code pass-through}</td><td>mail with
 *   the null sender (bounces): as {@code noRoute}, or through the {@code *} route</td></tr>
 * <tr><td>{@code rewriteSender}</td><td>boolean</td><td>{@code false}</td><td>send as the route's account: envelope sender and a
 *   {@code From:} naming the original sender (as exim's {@code Ffrs} rewrite flags do)</td></tr>
 * <tr><td>{@code bounceProcessor}</td><td>processor</td><td>none</td><td>where bounces go with {@code delivery-error} attributes
 *   (as RemoteDelivery); none: {@code MailetContext.bounce}</td></tr>
 * <tr><td>{@code deliveryThreads}</td><td>1..64</td><td>{@code 4}</td><td>worker threads</td></tr>
 * <tr><td>{@code connectTimeout}</td><td>duration</td><td>{@code 30s}</td><td>TCP connect time-out</td></tr>
 * <tr><td>{@code readTimeout}</td><td>duration</td><td>{@code 2m}</td><td>time-out per SMTP reply</td></tr>
 * <tr><td>{@code idleTimeout}</td><td>duration</td><td>{@code 60s}</td><td>how long an idle connection waits for the next message; then it is closed with QUIT; {@code 0ms}: a connection per message</td></tr>
 * <tr><td>{@code dataEndTimeout}</td><td>duration</td><td>{@code 10m}</td><td>wait for the reply to a message's final
 *   {@code .} (RFC 5321 4.5.3.2.6); giving up there means sending the message again, likely a duplicate</td></tr>
 * <tr><td>{@code connectionWait}</td><td>duration</td><td>{@code 30s}</td><td>wait for a busy route's connection before re-queueing</td></tr>
 * <tr><td>{@code backOff}</td><td>duration</td><td>{@code 1m}</td><td>first pause of a route after a 4xx (doubles)</td></tr>
 * <tr><td>{@code backOffMax}</td><td>duration</td><td>{@code 30m}</td><td>longest such pause</td></tr>
 * <tr><td>{@code trustStore}</td><td>path</td><td>JVM CAs</td><td>trust store for smarthost certificates</td></tr>
 * <tr><td>{@code trustStorePassword}</td><td>secret</td><td>none</td><td>its password</td></tr>
 * <tr><td>{@code trustStoreType}</td><td>{@code PKCS12|JKS}</td><td>{@code PKCS12}</td><td>its type</td></tr>
 * <tr><td>{@code maxAuthLine}</td><td>int</td><td>{@code 12288}</td><td>longest AUTH line with an initial response; longer
 *   responses are sent after the server's 334</td></tr>
 * <tr><td>{@code helo}</td><td>host name</td><td>local host name</td><td>EHLO name for routes without {@code helo=}</td></tr>
 * <tr><td>{@code tokenIdleRefresh}</td><td>duration</td><td>{@code 1d}</td><td>how often token sources idle that long are
 *   refreshed (refresh tokens die unused: Microsoft after 90 days)</td></tr>
 * <tr><td>{@code tokenUpkeep}</td><td>duration</td><td>{@code 1m}</td><td>how often every token route's token is asked for
 *   (a cached token costs nothing; inside the refresh window it is refreshed): tokens are ready before mail needs them, the
 *   broker serves fresh ones, and health follows the token endpoint without mail traffic; {@code 0s} turns it off</td></tr>
 * <tr><td>{@code refreshTokenMaxAge}</td><td>duration</td><td>{@code 60d}</td><td>a refresh token older than this makes the
 *   route DEGRADED in the health check</td></tr>
 * <tr><td>{@code brokerFile}</td><td>path</td><td>none</td><td>a {@code <broker>} XML file (settings in
 *   {@code org.jamespack.relay.broker}): James then runs the credential broker, serving the accounts of this relay's token
 *   routes from the relay's own token sources</td></tr>
 * <tr><td>{@code unauthenticated}</td><td>{@code refuse|allow}</td><td>{@code refuse}</td><td>whether mail with no
 *   authenticated submitter ({@code org.apache.james.SMTPAuthUser} unset: local processes, mailets, authorised networks)
 *   may go out through a route's account; a route's own {@code unauthenticated=} wins. The null sender is governed by
 *   {@code nullSender} alone</td></tr>
 * <tr><td>{@code refusedProcessor}</td><td>processor</td><td>{@code error}</td><td>where mail goes that may not use its
 *   route's account (sender not owned by the submitter, submitter not in the route's {@code submitters=}, nobody
 *   authenticated): with {@code errorMessage}, {@code delivery-error} and {@code org.jamespack.relay.refused} saying why;
 *   logged at WARN. The samples use a processor that keeps it in a repository without bouncing</td></tr>
 * <tr><td>{@code brokenRouteProbeInterval}</td><td>duration (at least 1s)</td><td>{@code 5m}</td><td>a route whose credential
 *   is broken (its token source says CREDENTIAL_BROKEN) or whose smarthost refuses AUTH for a reason a new token does not cure
 *   pauses as a whole: its mail stays queued without token or connection, and one message probes the route this often (after a
 *   refused AUTH with a freshly refreshed token: one token endpoint call and one AUTH per probe); a probe that gets through
 *   resumes the route. An operator's reset (WebAdmin) resumes the route at once</td></tr>
 * <tr><td>{@code delayWarningAfter}</td><td>duration</td><td>{@code 4h}</td><td>mail held that long for a credential problem
 *   (a paused route, a broken credential, an AUTH refused by policy) gets one delay warning to its sender (RFC 3464
 *   {@code Action: delayed}, {@code Status: 4.7.0}); remembered in the mail's {@code org.jamespack.relay.delay-warned}
 *   attribute, so a restart (journal) sends no second one; {@code 0s} turns it off</td></tr>
 * </table>
 * Token settings read by the token registry from this element: {@code saslXoauth2Config}, {@code tokenRefreshWindow},
 * {@code tokenConnectTimeout}, {@code tokenReadTimeout}, {@code brokerTimeout} (see {@code org.jamespack.relay.token}).
 * Route settings (in {@code routes} and the file): {@code host} (required, {@code H} or {@code H::PORT}), {@code port},
 * {@code tls=starttls|implicit} (default starttls; implicit for port 465), {@code helo}, {@code user}, {@code oauth} or
 * {@code password}, {@code mechanism=xoauth2|oauthbearer|plain|login} (default xoauth2 with oauth, plain with password),
 * {@code preset=m365|none} (default m365 for smtp.office365.com: 30 messages/min, 10 000 recipients/day, 2 connections),
 * {@code messages-per-minute}, {@code recipients-per-day}, {@code connections}, {@code submitters} (James users allowed to
 * send through the account, comma-separated), {@code unauthenticated=allow|refuse}; {@code transport=graph} (with
 * {@code user}, {@code oauth} and an optional {@code graph-url}, no {@code host}) sends through Microsoft Graph's
 * {@code sendMail} instead (see {@code org.jamespack.relay.graph}; the mailet's {@code connectTimeout},
 * {@code readTimeout} and {@code trustStore} serve Graph too).
 */
@NullMarked
package org.jamespack.relay;

import org.jspecify.annotations.NullMarked;
