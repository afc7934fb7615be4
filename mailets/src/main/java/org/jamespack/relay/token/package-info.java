/**
 * OAuth2 access tokens for the XOAUTH2 smarthost relay: where a route's {@code oauth=} value
 * leads ({@link org.jamespack.relay.token.TokenRegistry}), and the sources behind it, all
 * answering {@link org.jamespack.relay.token.TokenOutcome}: a token, or TRANSIENT (retry on the
 * schedule) or CREDENTIAL_BROKEN (an operator must act; the mail stays queued).
 *
 * <ul>
 *   <li>{@link org.jamespack.relay.token.TokenFile}: sasl-xoauth2 token files read and written
 *   exactly (unknown keys kept), {@link org.jamespack.relay.token.SaslXoauth2Config} its global
 *   file;</li>
 *   <li>grants through the Nimbus OAuth2 SDK: refresh token, client credentials (secret or
 *   certificate, {@code private_key_jwt} with {@code x5t}), JWT bearer (Google service
 *   account, {@code sub} = mailbox);</li>
 *   <li>{@link org.jamespack.relay.token.RefreshingTokenSource}: cache, refresh window,
 *   single-flight across threads and (token files) processes, atomic 0600 rewrite of a rotated
 *   refresh token, sticky CREDENTIAL_BROKEN, idle refresh, {@link
 *   org.jamespack.relay.token.TokenStatus};</li>
 *   <li>{@link org.jamespack.relay.token.BrokerTokenSource}: cloud_mdir_sync's broker socket.</li>
 * </ul>
 *
 * <p>Refresh window: a token is refreshed when {@code now + window >= expiry}. The default is 10
 * minutes, not sasl-xoauth2's 10 seconds: Microsoft's High Volume Email refuses tokens close to
 * expiry ({@code 501 5.5.127 Token will expire soon}).
 *
 * <h2>Settings</h2>
 *
 * <p>On the mailet's own element (the {@code globalSettings} of
 * {@link org.jamespack.relay.token.TokenRegistry#fromConfig}):
 * <table>
 *   <caption>global token settings</caption>
 *   <tr><th>key</th><th>type</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>saslXoauth2Config</td><td>path</td><td>/etc/sasl-xoauth2.conf, if it exists</td><td>sasl-xoauth2's global file: defaults for token files (client_id, client_secret, token_endpoint, proxy, ca_bundle_file, ca_certs_dir, refresh_window)</td></tr>
 *   <tr><td>tokenRefreshWindow</td><td>duration</td><td>10m</td><td>refresh this long before expiry, unless a source, token file or global file sets its own</td></tr>
 *   <tr><td>tokenConnectTimeout</td><td>duration</td><td>10s</td><td>token endpoint connect time-out</td></tr>
 *   <tr><td>tokenReadTimeout</td><td>duration</td><td>30s</td><td>token endpoint read time-out</td></tr>
 *   <tr><td>brokerTimeout</td><td>duration</td><td>10s</td><td>whole exchange with a broker socket named by path</td></tr>
 * </table>
 *
 * <p>Each {@code <tokenSource name="…" type="…">} (keys as attributes or child elements):
 * <table>
 *   <caption>tokenSource settings</caption>
 *   <tr><th>key</th><th>type</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>name</td><td>string</td><td>required</td><td>what a route's {@code oauth=} names (letters, digits, {@code . _ -})</td></tr>
 *   <tr><td>type</td><td>choice</td><td>required</td><td>{@code refresh-token}, {@code client-credentials}, {@code jwt-bearer}, {@code token-file}, {@code broker}</td></tr>
 *   <tr><td>tokenEndpoint</td><td>URL</td><td>required for refresh-token with refreshToken and for client-credentials; jwt-bearer: the key file's token_uri; token-file: the file's, else the global file's, else Google's legacy endpoint</td><td>the token endpoint, e.g. {@code https://login.microsoftonline.com/TENANT/oauth2/v2.0/token}</td></tr>
 *   <tr><td>clientId</td><td>string</td><td>required for client-credentials and refresh-token with refreshToken; else the token file's</td><td>the OAuth2 client id</td></tr>
 *   <tr><td>clientSecret</td><td>secret</td><td>none (public client)</td><td>the client secret ({@code client_secret_post}); never printed</td></tr>
 *   <tr><td>refreshToken</td><td>secret</td><td>none</td><td>refresh-token: the refresh token itself (a rotated one is kept in memory only); give this or tokenFile</td></tr>
 *   <tr><td>tokenFile</td><td>absolute path</td><td>none</td><td>refresh-token: a sasl-xoauth2 token file that stores the refresh token (rotations written back); {@code {account}} is replaced by the account</td></tr>
 *   <tr><td>path</td><td>absolute path</td><td>required for token-file</td><td>token-file: the sasl-xoauth2 token file; {@code {account}} is replaced by the account</td></tr>
 *   <tr><td>scope</td><td>space-separated</td><td>client-credentials: {@code https://outlook.office365.com/.default}; jwt-bearer: {@code https://mail.google.com/}; else none</td><td>scopes requested</td></tr>
 *   <tr><td>certificate</td><td>PEM file</td><td>none</td><td>client-credentials: the app's X.509 certificate (its SHA-1 thumbprint is the {@code x5t})</td></tr>
 *   <tr><td>privateKey</td><td>PEM file</td><td>none</td><td>client-credentials: the certificate's unencrypted private key (PKCS#8 or PKCS#1); give with certificate instead of clientSecret</td></tr>
 *   <tr><td>serviceAccountKeyFile</td><td>JSON file</td><td>required for jwt-bearer</td><td>Google's service-account key file ({@code client_email}, {@code private_key}, {@code private_key_id}, {@code token_uri})</td></tr>
 *   <tr><td>assertionLifetime</td><td>duration</td><td>1h</td><td>jwt-bearer: the assertion's {@code exp - iat}, at most 1h</td></tr>
 *   <tr><td>socket</td><td>absolute path</td><td>required for broker</td><td>broker: the UNIX socket</td></tr>
 *   <tr><td>timeout</td><td>duration</td><td>brokerTimeout (10s)</td><td>broker: the whole exchange's time-out</td></tr>
 *   <tr><td>assumedLifetime</td><td>duration</td><td>5m</td><td>broker: the lifetime reported for its token (the broker gives none)</td></tr>
 *   <tr><td>refreshWindow</td><td>duration</td><td>token file's refresh_window, else global file's, else tokenRefreshWindow (10m)</td><td>refresh this long before expiry</td></tr>
 *   <tr><td>connectTimeout</td><td>duration</td><td>tokenConnectTimeout (10s)</td><td>token endpoint connect time-out</td></tr>
 *   <tr><td>readTimeout</td><td>duration</td><td>tokenReadTimeout (30s)</td><td>token endpoint read time-out</td></tr>
 *   <tr><td>caBundleFile</td><td>PEM file</td><td>token file's ca_bundle_file, else the JVM's trust store</td><td>CA certificates trusted for the token endpoint</td></tr>
 *   <tr><td>caCertsDir</td><td>directory</td><td>token file's ca_certs_dir, else none</td><td>a directory of PEM CA certificates</td></tr>
 *   <tr><td>trustStore</td><td>path</td><td>none</td><td>a Java trust store for the token endpoint</td></tr>
 *   <tr><td>trustStorePassword</td><td>secret</td><td>none</td><td>its password</td></tr>
 *   <tr><td>trustStoreType</td><td>string</td><td>PKCS12</td><td>its type (PKCS12, JKS)</td></tr>
 *   <tr><td>proxy</td><td>URL</td><td>token file's proxy, else direct</td><td>{@code http://host:port} or {@code socks5://host:port}</td></tr>
 * </table>
 *
 * <p>Values of {@code oauth=} that are absolute paths need no declaration: a regular file is a
 * sasl-xoauth2 token file, a UNIX socket a broker (see {@link
 * org.jamespack.relay.token.TokenRegistry}).
 */
@NullMarked
package org.jamespack.relay.token;

import org.jspecify.annotations.NullMarked;
