/**
 * The credential broker: a UNIX-socket server that hands the pack's OAuth2 access tokens to
 * exim, Postfix or a script on the same host, so that they relay through the same cloud
 * accounts as James. Protocol of cloud_mdir_sync's credential server: the client
 * sends {@code SMTP user@domain} (a newline is optional), the broker answers the raw XOAUTH2
 * string {@code user=U\x01auth=Bearer T\x01\x01} and closes; the client base64-encodes it.
 *
 * <p>exim: {@code client_send = : ${readsocket{/run/jamespack/broker.sock}{SMTP user@domain}}}
 * in a {@code plaintext} authenticator with {@code public_name = XOAUTH2} (as in cloud_mdir_sync's
 * {@code example-exim4.conf}). Verified in exim's source ({@code lookups/readsock.c},
 * {@code expand.c}, {@code auths/get_data.c}): readsocket connects, writes the request as given
 * (no newline added), half-closes by default ({@code shutdown=no} turns that off), reads to end
 * of file under a 5 s default time-out, and keeps every byte (a read error ends the data like
 * end of file). A connect failure or time-out fails the expansion: the authenticator cancels
 * with {@code *}, returns ERROR and the transport defers the message. An empty answer is a
 * success: {@code client_send} then sends an empty SASL response, the smarthost answers 5xx,
 * exim logs "authenticator failed" and tries its next authenticator, and with
 * {@code hosts_require_auth} defers ("authentication required but authentication attempt(s)
 * failed"); no bounce, no made-up credential. Hence the default refusal is an empty answer, while
 * an error line would be base64-encoded and sent to the smarthost as the XOAUTH2 response. To
 * skip AUTH altogether when the broker refuses, add
 * {@code client_condition = ${if !eq{${readsocket{…}{SMTP user@domain}}}{}}} (one more request).
 * The answer must also survive {@code client_send}'s {@code ^} escape (a NUL), so a token that
 * is not an RFC 6750 {@code b64token} is refused, not served. The broker asks the token source
 * while exim waits: sources should keep tokens fresh ahead of time, as the pack's do.
 *
 * <p>Access: the socket's mode and group decide who may connect; then the peer's kernel
 * credentials ({@code SO_PEERCRED}, the JDK's {@code UnixDomainPrincipal}) must be in the
 * account's {@code allow} list (the peer-credential check of Dovecot's imap-urlauth).
 * Names are resolved with the platform's user lookup (NSS) at start-up, numbers are uids, and
 * peers are compared by uid. Refusals are logged at WARN (malformed requests at INFO) with
 * account, peer user, uid and group and the reason, never a token; served requests at INFO.
 *
 * <p>Settings, on the {@code <broker>} element ({@link org.jamespack.relay.broker.BrokerSettings}):
 * <table>
 * <caption>Credential broker settings</caption>
 * <tr><th>key</th><th>type</th><th>default</th><th>meaning</th></tr>
 * <tr><td>{@code socket}</td><td>path</td><td>required</td><td>the UNIX socket; a stale socket
 *   there is replaced, any other file is not; its directory must be owned by
 *   the broker's user or root and not group- or world-writable, directories above it owned by the user or root and,
 *   when group- or world-writable, sticky (sshd's StrictModes); the socket is bound in a private 0700 directory,
 *   given its mode and group there, then renamed into place</td></tr>
 * <tr><td>{@code mode}</td><td>octal</td><td>{@code 0660}</td><td>permissions of the socket
 *   file (connecting needs write permission); set before the socket appears at its path</td></tr>
 * <tr><td>{@code group}</td><td>group name or gid</td><td>the process' group</td><td>group of
 *   the socket file, e.g. {@code Debian-exim} or {@code postfix}</td></tr>
 * <tr><td>{@code threads}</td><td>1..64</td><td>4</td><td>requests answered at once</td></tr>
 * <tr><td>{@code queue}</td><td>0..1024</td><td>16</td><td>connections waiting for a worker;
 *   beyond, a connection is closed unanswered (logged)</td></tr>
 * <tr><td>{@code read-timeout}</td><td>duration</td><td>{@code 2s}</td><td>time a client has
 *   to send its request (and to read the answer); below exim's 5 s</td></tr>
 * <tr><td>{@code request-quiet}</td><td>duration</td><td>{@code 200ms}</td><td>a request with
 *   neither newline nor half-close (readsocket's {@code shutdown=no}) is complete after this
 *   pause</td></tr>
 * <tr><td>{@code max-request}</td><td>16..4096</td><td>512</td><td>longest request in bytes</td></tr>
 * <tr><td>{@code refusal}</td><td>{@code empty} or {@code line}</td><td>{@code empty}</td><td>what
 *   a refused client reads: nothing (safe for exim), or one line {@code ERROR denied},
 *   {@code ERROR bad-request}, {@code ERROR unavailable} or {@code ERROR busy} for clients that
 *   read it (an unknown account and a peer not allowed both read {@code denied})</td></tr>
 * <tr><td>{@code account} (repeated)</td><td>element</td><td>at least one</td><td>an account
 *   served</td></tr>
 * <tr><td>{@code account/name}</td><td>string</td><td>required</td><td>the account as clients
 *   ask for it ({@code user@domain}, matched case-insensitively) and as sent in {@code user=};
 *   its token comes from the token source the relay has for it</td></tr>
 * <tr><td>{@code account/allow}</td><td>list of user names or uids</td><td>required</td><td>the
 *   local users that may have this account's token, e.g. {@code Debian-exim,postfix,1001}</td></tr>
 * </table>
 *
 * <p>Example: {@code <broker socket="/run/jamespack/broker.sock" group="Debian-exim">
 * <account name="alice@example.org" allow="Debian-exim"/></broker>}.
 *
 * <p>Two ways to run it, same file format (root element {@code <broker>}):
 * <ul>
 *   <li>inside James: the relay mailet's {@code brokerFile} parameter names the file; the mailet
 *   starts the broker at {@code init()} and stops it at {@code destroy()}, and each account is
 *   served from the token source of the relay route that authenticates as it (so the relay's
 *   token upkeep keeps it fresh, and one refresh serves James and exim alike). A bad file or a
 *   socket that cannot be made stops James' start-up, with file and line;</li>
 *   <li>standalone, on a host without James: {@link org.jamespack.relay.broker.BrokerMain}.</li>
 * </ul>
 */
@NullMarked
package org.jamespack.relay.broker;

import org.jspecify.annotations.NullMarked;
