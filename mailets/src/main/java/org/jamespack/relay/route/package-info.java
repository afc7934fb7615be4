/**
 * Routes per envelope sender: which smarthost, TLS mode, HELO and account carry a sender's mail.
 * {@link org.jamespack.relay.route.SmartHostsParser} reads exim's smart-hosts format (as cloud_mdir_sync's
 * exim configuration uses it, {@code lsearch} semantics), {@link org.jamespack.relay.route.RouteTable} looks senders up
 * (address &gt; domain &gt; closest {@code *.domain} &gt; {@code *}, case-insensitive, exact on the
 * domain), {@link org.jamespack.relay.route.RouteSource} keeps the table current (mtime poll of every
 * {@link org.jamespack.relay.route.RouteFiles} set). {@link org.jamespack.relay.route.PostfixRoutes} makes the same
 * routes from Postfix's {@code sender_dependent_relayhost_maps} and {@code smtp_sasl_password_maps} source files
 * ({@link org.jamespack.relay.route.PostfixMapFile}: postmap's text format) with Postfix's lookup order; its mailet
 * settings ({@code postfix*}) are in the relay package's table.
 *
 * <table>
 * <caption>Route settings (one line per key: {@code key: name=value …})</caption>
 * <tr><th>key</th><th>type</th><th>default</th><th>meaning</th></tr>
 * <tr><td>{@code host}</td><td>{@code H} or {@code H::PORT}</td><td>required</td><td>smarthost (one host; exim's {@code ::} port syntax)</td></tr>
 * <tr><td>{@code port}</td><td>1..65535</td><td>587 (465 with implicit TLS)</td><td>port, if not in {@code host}</td></tr>
 * <tr><td>{@code tls}</td><td>{@code starttls|implicit}</td><td>{@code starttls}, {@code implicit} on port 465</td><td>never plain text</td></tr>
 * <tr><td>{@code helo}</td><td>name</td><td>mailet's {@code helo}, else the local host name</td><td>EHLO name</td></tr>
 * <tr><td>{@code user}</td><td>address</td><td>none (no AUTH)</td><td>the cloud mailbox to authenticate as</td></tr>
 * <tr><td>{@code oauth}</td><td>reference</td><td>none</td><td>token source: a declared name or an absolute path (token file, broker socket)</td></tr>
 * <tr><td>{@code password}</td><td>secret</td><td>none</td><td>password for providers without OAuth (PLAIN/LOGIN over TLS)</td></tr>
 * <tr><td>{@code mechanism}</td><td>{@code xoauth2|oauthbearer|plain|login}</td><td>{@code xoauth2} with oauth, {@code plain} with password</td><td>forced SASL mechanism</td></tr>
 * <tr><td>{@code preset}</td><td>{@code m365|none}</td><td>{@code m365} for smtp.office365.com</td><td>Microsoft 365 limits: 30/min, 10 000/day, 2 connections</td></tr>
 * <tr><td>{@code messages-per-minute}</td><td>int &ge; 0</td><td>preset's, else 0 (unlimited)</td><td>messages per rolling minute</td></tr>
 * <tr><td>{@code recipients-per-day}</td><td>int &ge; 0</td><td>preset's, else 0 (unlimited)</td><td>recipients per rolling 24 h</td></tr>
 * <tr><td>{@code connections}</td><td>int &ge; 1</td><td>preset's, else 2</td><td>connections at once</td></tr>
 * <tr><td>{@code submitters}</td><td>James user names, comma-separated</td><td>none</td><td>the only authenticated users
 *   who may send through this route's account, as any sender the route's key matches (a shared mailbox, a service
 *   account); without it each authenticated user may send only as an address they own (needs {@code user})</td></tr>
 * <tr><td>{@code unauthenticated}</td><td>{@code allow|refuse}</td><td>the mailet's {@code unauthenticated}</td><td>whether mail
 *   with no authenticated submitter (local processes, mailets, authorised networks) may use this route's account</td></tr>
 * <tr><td>{@code transport}</td><td>{@code smtp|graph}</td><td>{@code smtp}</td><td>{@code graph}: send through Microsoft
 *   Graph's {@code sendMail} as {@code user} with the token of {@code oauth} (both required); {@code host}, {@code port},
 *   {@code tls}, {@code helo}, {@code mechanism}, {@code password} are then refused; preset {@code m365} by default (see
 *   {@code org.jamespack.relay.graph})</td></tr>
 * <tr><td>{@code graph-url}</td><td>https URL</td><td>{@code https://graph.microsoft.com/v1.0}</td><td>Graph's base URL
 *   (national clouds); only with {@code transport=graph}; http only to loopback</td></tr>
 * </table>
 */
@NullMarked
package org.jamespack.relay.route;

import org.jspecify.annotations.NullMarked;
