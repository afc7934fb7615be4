/**
 * The James 3.8.1 adapters, the only package that imports James. Under James' own launcher
 * (memory, JPA, distributed; the way operators run James) the pack comes in through
 * {@link org.jamespack.auth.james.PackExtensionModule} ({@code extensions.properties}), which
 * builds the one pack of the process, and takes over every login at the protocol entry points
 * named in James' XML:
 * {@link org.jamespack.auth.james.PackSmtpAuthCmdHandler} and {@link org.jamespack.auth.james.PackAuthHook}
 * (SMTP AUTH PLAIN/LOGIN, strict RFC 4616 parsing, {@code 454 4.7.0} when the backend is down),
 * {@link org.jamespack.auth.james.PackImapPackage} (IMAP LOGIN and AUTHENTICATE:
 * {@link org.jamespack.auth.james.PackLoginProcessor}, {@link org.jamespack.auth.james.PackAuthenticateProcessor}),
 * {@link org.jamespack.auth.james.PackPop3PassHandler} (POP3 PASS without parking the I/O thread). Each asks
 * the pack, then opens the mailbox session without a password ({@code SessionProvider#authenticate(Username)}):
 * James' stored password is never consulted. JMAP and ManageSieve have no pack entry point in 3.8.1 and stay
 * off in the samples (their logins would check James' stored password).
 *
 * <p>For tests and embedding, {@link org.jamespack.auth.james.AuthPackModule} overrides James' own
 * bindings instead ({@link org.jamespack.auth.james.PackUsersRepository} in directory mode,
 * {@link org.jamespack.auth.james.PackAuthenticator} in password-only mode), which only a main class of one's
 * own can do ({@code GuiceJamesServer#overrideWith}).
 *
 * <h2>Where the settings live</h2>
 * An {@code <authpack>} element inside James' own {@code conf/usersrepository.xml}; its keys are
 * listed in the {@code org.jamespack.auth.pack} package, which builds the pack from it.
 * {@link org.jamespack.auth.james.JamesConfigFiles} finds the file where James finds it.
 *
 * <h2>The two modes side by side</h2>
 * <table>
 * <caption>Deploying the pack</caption>
 * <tr><th></th><th>directory mode</th><th>password-only mode</th></tr>
 * <tr><td>who exists</td><td>the directory (first backend that lists users)</td><td>James' own users repository (memory, JPA, its LDAP)</td></tr>
 * <tr><td>James' users repository</td><td>James' own LDAP repository ({@code ldapHost=…} on
 *   {@code <usersrepository>}) on the same directory, so that James knows the users for delivery; the pack's
 *   read-only {@link org.jamespack.auth.james.PackUsersRepository} only where a main class may replace James'
 *   ({@link org.jamespack.auth.james.AuthPackModule})</td>
 *   <td>James' own (memory, JPA, Cassandra); users created with WebAdmin</td></tr>
 * <tr><td>the pack</td><td colspan="2">{@code extensions.properties}:
 *   {@code guice.extension.module=org.jamespack.auth.james.PackExtensionModule}; a pack handler named without it
 *   fails James' start (Guice: no binding for {@code AuthPack})</td></tr>
 * <tr><td>SMTP AUTH</td><td colspan="2">{@code smtpserver.xml}, before {@code CoreCmdHandlerLoader}:
 *   {@code <handler class="org.jamespack.auth.james.PackSmtpAuthCmdHandler"/>} then
 *   {@code <handler class="org.jamespack.auth.james.PackAuthHook"/>}</td></tr>
 * <tr><td>IMAP</td><td colspan="2">{@code imapserver.xml}, in {@code <imapservers>}:
 *   {@code <imapPackages>org.apache.james.modules.protocols.ImapPackage$DefaultNoAuth</imapPackages>} and
 *   {@code <imapPackages>org.jamespack.auth.james.PackImapPackage</imapPackages>}</td></tr>
 * <tr><td>POP3 PASS</td><td colspan="2">{@link org.jamespack.auth.james.PackPop3PassHandler} in {@code pop3server.xml}, before
 *   {@code CoreCmdHandlerLoader}: asks the pack (failure delay paid by holding back the connection), then opens the
 *   mailbox as already authenticated</td></tr>
 * <tr><td>JMAP, ManageSieve</td><td colspan="2">off ({@code jmap.properties} {@code enabled=false},
 *   {@code managesieveserver.xml} {@code enabled="false"}): James 3.8.1 checks their passwords itself</td></tr>
 * <tr><td>user unknown to James</td><td>—</td><td>refused before any backend is asked (no directory round trip, no
 *   lockout counter touched)</td></tr>
 * <tr><td>typical backend</td><td>LDAP</td><td>Kopano (cannot list users), or LDAP beside James' own users</td></tr>
 * </table>
 * James' extension injector cannot replace the users repository or the mailbox authenticator (a
 * duplicate binding), which is why the pack takes over at the protocol entry points.
 *
 * <p>Malformed SASL (RFC 4616 PLAIN with other than two NULs, an authzid other than the authcid,
 * invalid UTF-8 or base64; LOGIN fields with NUL) is answered {@code 501 5.5.2} (SMTP) or {@code BAD}
 * (IMAP) without asking a backend, with an audit line {@code login=(malformed)} that holds nothing of the message.
 *
 * <p>James 3.8.1 tells neither the repository nor the authenticator which protocol is logging
 * in; {@link org.jamespack.auth.james.CallerProtocol} finds it on the stack, and the
 * client's address is taken from James' logging context, so that Kopano's per-protocol feature
 * gates and the throttle work for IMAP and POP3 too.
 *
 * <h2>What each protocol answers</h2>
 * ACCEPTED logs in; REJECTED and DISABLED give SMTP {@code 535 5.7.8}, IMAP {@code NO},
 * POP3 {@code -ERR}; UNAVAILABLE gives SMTP {@code 454 4.7.0} (through the hook), IMAP
 * {@code NO … processing failed}, POP3 {@code -ERR Unexpected error}. An ACCEPTED verdict that
 * names another host for the mailbox (qmail-ldap {@code mailHost}, the {@code ldap} backend's
 * {@code localHosts}) logs in over SMTP as any ACCEPTED (submission works on every node), while
 * IMAP LOGIN and AUTHENTICATE answer an RFC 2221 login referral (or a plain {@code NO}, by
 * {@code imapMailHostAnswer}) and POP3 {@code -ERR [SYS/PERM]}, both naming the host, with no
 * mailbox opened and no failure counted ({@link org.jamespack.auth.pack.MailHostAnswer}). The
 * interfaces that can only say yes or no, James' {@code UsersRepository#test} (JMAP, ManageSieve,
 * anything else James asks) and the mailbox {@code Authenticator} of {@link
 * org.jamespack.auth.james.AuthPackModule}, say yes: the password is right, and they have no way
 * to send a client elsewhere; keep those protocols off or route them to the user's host. Each
 * login writes one line to the logger {@code org.jamespack.auth.audit} (login, protocol, client,
 * backend, verdict, reason, {@code mailhost=} when the verdict names one, duration; never the password, every client-supplied value escaped by
 * {@link org.jamespack.auth.LogSafe}): INFO, WARN when UNAVAILABLE (INFO for the throttle's
 * {@code BUSY}, which outsiders can cause at will).
 *
 * <h2>Operations</h2>
 * Metrics through James' {@code MetricFactory} ({@link org.jamespack.auth.james.AuthPackMetrics}):
 * {@code jamespack.auth.backend.BACKEND.STATE} (counter per backend and verdict),
 * {@code jamespack.auth.backend.BACKEND.latency} (timer per backend),
 * {@code jamespack.auth.decision.STATE} (counter of what clients got). WebAdmin
 * ({@link org.jamespack.auth.james.AuthPackRoutes}, named in {@code webadmin.properties}
 * {@code extensions.routes}): {@code GET /authpack/cache},
 * {@code DELETE /authpack/cache/users/{login}}, {@code DELETE /authpack/cache}. More bindings for
 * James' extension injector come from {@link org.jamespack.foundation.addon.PackAddOn} service entries.
 */
@NullMarked
package org.jamespack.auth.james;

import org.jamespack.foundation.addon.PackAddOn;
import org.jspecify.annotations.NullMarked;
