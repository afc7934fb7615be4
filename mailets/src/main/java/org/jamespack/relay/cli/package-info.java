/**
 * The {@code token} command-line tool ({@link org.jamespack.relay.cli.TokenTool}): obtains the
 * first tokens of an account (device code, or authorization code with PKCE and a loopback redirect,
 * or the paste fallback), shows, refreshes and tests sasl-xoauth2 token files, and runs the
 * credential broker standalone. It reuses the relay's token package for every refresh (same lock
 * and atomic 0600 write) and the Nimbus OAuth2 SDK for every grant.
 *
 * <h2>Commands</h2>
 * <table>
 *   <caption>sub-commands</caption>
 *   <tr><th>command</th><th>what it does</th></tr>
 *   <tr><td>{@code token init FILE --provider microsoft|google|custom --client-id ID --user MAILBOX}</td><td>sign in once and
 *   write the token file (mode 0600); Microsoft: {@code --tenant}, device code by default; Google: authorization code with PKCE</td></tr>
 *   <tr><td>{@code token show FILE}</td><td>account, scopes, expiry in local time, client, endpoint, refreshable; never a token</td></tr>
 *   <tr><td>{@code token refresh FILE}</td><td>refresh now, as the relay does</td></tr>
 *   <tr><td>{@code token test FILE} / {@code token test --explain TEXT}</td><td>token then smarthost check; or advice for an error text</td></tr>
 *   <tr><td>{@code token broker CONFIG --token-dir DIR}</td><td>the credential broker, accounts served from {@code DIR/ACCOUNT}</td></tr>
 * </table>
 *
 * <h2>Settings (options of {@code token init})</h2>
 * <table>
 *   <caption>token init options</caption>
 *   <tr><th>key</th><th>type</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>--provider</td><td>choice</td><td>required</td><td>{@code microsoft}, {@code google}, {@code custom}</td></tr>
 *   <tr><td>--tenant</td><td>string</td><td>common</td><td>Microsoft tenant: consumers, organizations, common, id or domain</td></tr>
 *   <tr><td>--client-id</td><td>string</td><td>client_id of sasl-xoauth2.conf</td><td>the app's client id</td></tr>
 *   <tr><td>--client-secret-file</td><td>path</td><td>client_secret of sasl-xoauth2.conf, else none</td><td>file holding the client secret (never on the command line, where ps shows it)</td></tr>
 *   <tr><td>--user</td><td>mailbox</td><td>required</td><td>who signs in; login hint; stored as {@code user}</td></tr>
 *   <tr><td>--grant</td><td>device, code</td><td>device for microsoft, else code</td><td>which grant</td></tr>
 *   <tr><td>--scope</td><td>string</td><td>the provider's</td><td>scopes asked for</td></tr>
 *   <tr><td>--token-endpoint, --authorization-endpoint, --device-endpoint</td><td>URL</td><td>the provider's</td><td>overrides</td></tr>
 *   <tr><td>--paste</td><td>flag</td><td>off</td><td>read the URL the browser ended on from standard input</td></tr>
 *   <tr><td>--redirect-uri</td><td>URL</td><td>Microsoft's nativeclient page, else http://127.0.0.1/</td><td>redirect for --paste</td></tr>
 *   <tr><td>--no-browser</td><td>flag</td><td>off</td><td>only print the URL</td></tr>
 *   <tr><td>--port</td><td>int</td><td>0 (free port)</td><td>loopback listener port</td></tr>
 *   <tr><td>--timeout</td><td>ISO-8601 duration</td><td>PT10M</td><td>wait for the browser</td></tr>
 *   <tr><td>--ca-bundle</td><td>PEM</td><td>the JVM's CAs</td><td>CAs for the endpoints; stored as ca_bundle_file</td></tr>
 *   <tr><td>--sasl-xoauth2-config</td><td>path</td><td>/etc/sasl-xoauth2.conf if present</td><td>global defaults; equal values are not repeated in the file</td></tr>
 *   <tr><td>--force</td><td>flag</td><td>off</td><td>replace an existing file</td></tr>
 * </table>
 *
 * <h2>Settings (options of {@code token test})</h2>
 * <table>
 *   <caption>token test options</caption>
 *   <tr><th>key</th><th>type</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>TARGET</td><td>path or sender</td><td>required (unless --explain)</td><td>a token file, or with --routes a sender address or domain</td></tr>
 *   <tr><td>--routes</td><td>path</td><td>none</td><td>exim-style smart-hosts file ({@code domain: host=H::587 user=U oauth=/path})</td></tr>
 *   <tr><td>--host, --port</td><td>string, int</td><td>required for a file; 587 (465 with --implicit-tls)</td><td>the smarthost</td></tr>
 *   <tr><td>--implicit-tls</td><td>flag</td><td>off (STARTTLS)</td><td>TLS from the first byte</td></tr>
 *   <tr><td>--user</td><td>mailbox</td><td>the file's user, else its name</td><td>AUTH identity</td></tr>
 *   <tr><td>--mechanism</td><td>XOAUTH2, OAUTHBEARER</td><td>XOAUTH2</td><td>SASL mechanism (forced)</td></tr>
 *   <tr><td>--helo</td><td>string</td><td>this host's name</td><td>EHLO name</td></tr>
 *   <tr><td>--trust-store, --trust-store-password-file, --trust-store-type</td><td>path, path, string</td><td>the JVM's CAs, none, PKCS12</td><td>CAs for the smarthost</td></tr>
 *   <tr><td>--explain</td><td>text</td><td>none</td><td>only print the advice for an error text</td></tr>
 * </table>
 *
 * <p>{@code show}, {@code refresh}, {@code test} and {@code broker} also take
 * {@code --sasl-xoauth2-config} (default /etc/sasl-xoauth2.conf when present); {@code broker}
 * takes {@code --token-dir} (default /etc/tokens): account A's token file is DIR/A.
 *
 * <p>The file written holds {@code access_token}, {@code client_id}, {@code client_secret} (when
 * any), {@code token_endpoint} (unless sasl-xoauth2 would use the same one anyway),
 * {@code expiry}, {@code refresh_token}, {@code user}, and an informational {@code scope} that
 * sasl-xoauth2 ignores.
 *
 * <h2>Exit codes</h2>
 * 0 done; 1 the operation failed (grant refused or declined, credential broken, smarthost
 * refused); 2 usage error or unreadable input; 3 temporary failure (network, server error,
 * time-out). {@code token broker}: the broker's codes (0 stopped, 2 configuration, 3 socket).
 */
@NullMarked
package org.jamespack.relay.cli;

import org.jspecify.annotations.NullMarked;
