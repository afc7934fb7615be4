/**
 * The James 3.8.1 adapters, the only package that imports James: the pack's
 * {@link org.jamespack.auth.james.PackUsersRepository} (directory mode),
 * {@link org.jamespack.auth.james.PackAuthenticator} (password-only mode: James' mailbox
 * {@code Authenticator} for IMAP, POP3, JMAP), {@link org.jamespack.auth.james.PackAuthHook}
 * (SMTP AUTH, with {@code 454 4.7.0} when the backend is down),
 * {@link org.jamespack.auth.james.PackPop3PassHandler} (POP3 PASS without parking the I/O thread), the Guice
 * {@link org.jamespack.auth.james.AuthPackModule} and the launcher
 * {@link org.jamespack.auth.james.PackServerMain}.
 *
 * <h2>Where the settings live</h2>
 * An {@code <authpack>} element inside James' own {@code conf/usersrepository.xml} (James'
 * memory repository ignores it). Backend elements come in order; one backend is used as is,
 * several form a chain with PAM's control words; {@code <cache>} and {@code <throttle>} wrap
 * the result (cache inside, throttle outside, so failed logins are slowed even when the cache
 * answers). Every problem is reported at start-up, all at once, with file, line and key.
 *
 * <pre>{@code
 * <usersrepository name="LocalUsers">
 *   <enableVirtualHosting>true</enableVirtualHosting>
 *   <authpack mode="directory">
 *     <ldap name="corp" control="sufficient" url="ldap://127.0.0.1:389" …/>
 *     <kopano name="groupware" control="required" url="http://localhost:236/kopano" …/>
 *     <cache …/>
 *     <throttle …/>
 *   </authpack>
 * </usersrepository>
 * }</pre>
 *
 * <table>
 * <caption>Settings of {@code <authpack>} and of James' keys the pack reads</caption>
 * <tr><th>key</th><th>type</th><th>default</th><th>meaning</th></tr>
 * <tr><td>{@code authpack/mode}</td><td>{@code directory} | {@code password-only}</td><td>{@code directory}</td>
 *   <td>directory: the first backend that can list users (LDAP) is James' user base, read-only;
 *   password-only: James' own users repository says who exists (a user it does not know is
 *   refused before any backend is asked), the pack checks passwords (the mode for Kopano)</td></tr>
 * <tr><td>{@code authpack/ldap}, {@code authpack/kopano}</td><td>element</td><td>—</td>
 *   <td>a backend, settings as in the {@code ldap} and {@code kopano} packages; at least one</td></tr>
 * <tr><td>{@code …/control}</td><td>{@code required} | {@code requisite} | {@code sufficient} | {@code optional}</td>
 *   <td>{@code required}</td><td>the backend's PAM control word in a chain; the same password goes to each
 *   member (pam_mapi's {@code use_first_pass} is implicit)</td></tr>
 * <tr><td>{@code …/name}</td><td>string</td><td>the element name ({@code ldap}, {@code kopano-2}…)</td>
 *   <td>the backend's name in the audit log and in verdict details</td></tr>
 * <tr><td>{@code authpack/cache}</td><td>element</td><td>none (no cache)</td><td>verdict cache around the backend(s),
 *   settings in the {@code cache} package</td></tr>
 * <tr><td>{@code authpack/throttle}</td><td>element</td><td>none (no slow-down)</td><td>failed-login slow-down around the
 *   cache, settings in the {@code throttle} package; SMTP AUTH (with {@code PackAuthHook}) and POP3 PASS (with {@code PackPop3PassHandler}) answer a failure at once and hold the connection's next command back for the delay (the Netty I/O thread is never parked); IMAP LOGIN sleeps on James' blocking-call pool, bounded by {@code maxConcurrentDelays}</td></tr>
 * <tr><td>{@code enableVirtualHosting}</td><td>boolean</td><td>{@code true}</td>
 *   <td>James' key, read in directory mode: logins are full addresses</td></tr>
 * <tr><td>{@code administratorId}, {@code administratorIds/administratorId}</td><td>string</td><td>none</td>
 *   <td>James' keys, read in directory mode: who is a James administrator</td></tr>
 * </table>
 *
 * <h2>The two modes side by side</h2>
 * <table>
 * <caption>Deploying the pack</caption>
 * <tr><th></th><th>directory mode</th><th>password-only mode</th></tr>
 * <tr><td>who exists</td><td>the directory (first backend that lists users)</td><td>James' own users repository (memory, JPA, its LDAP)</td></tr>
 * <tr><td>what the launcher binds</td><td>{@code UsersRepository} → {@link org.jamespack.auth.james.PackUsersRepository} (read-only)</td>
 *   <td>mailbox {@code Authenticator} → {@link org.jamespack.auth.james.PackAuthenticator}</td></tr>
 * <tr><td>SMTP AUTH</td><td colspan="2">{@link org.jamespack.auth.james.PackAuthHook} in {@code smtpserver.xml}, before
 *   {@code CoreCmdHandlerLoader}: {@code <handler class="org.jamespack.auth.james.PackAuthHook"/>}</td></tr>
 * <tr><td>POP3 PASS</td><td colspan="2">{@link org.jamespack.auth.james.PackPop3PassHandler} in {@code pop3server.xml}, before
 *   {@code CoreCmdHandlerLoader}: asks the pack (failure delay paid by holding back the connection), then opens the
 *   mailbox as already authenticated; without it, POP3 goes the IMAP way below</td></tr>
 * <tr><td>IMAP, POP3, JMAP</td><td>through James' authenticator into {@code PackUsersRepository#test}</td><td>through {@code PackAuthenticator}</td></tr>
 * <tr><td>user unknown to James</td><td>—</td><td>refused before any backend is asked (no directory round trip, no
 *   lockout counter touched)</td></tr>
 * <tr><td>typical backend</td><td>LDAP</td><td>Kopano (cannot list users), or LDAP beside James' own users</td></tr>
 * </table>
 * Start James with {@link org.jamespack.auth.james.PackServerMain} (the stock memory server plus
 * {@link org.jamespack.auth.james.AuthPackModule}). With James' stock launcher only the SMTP hook
 * works (it then reads {@code <authpack>} itself): James' {@code extensions.properties} modules
 * cannot replace the users repository or the authenticator.
 *
 * <p>James 3.8.1 tells neither the repository nor the authenticator which protocol is logging
 * in; {@link org.jamespack.auth.james.CallerProtocol} finds it on the stack (about 14 µs), and the
 * client's address is taken from James' logging context, so that Kopano's per-protocol feature
 * gates and the throttle work for IMAP and POP3 too.
 *
 * <h2>What each protocol answers</h2>
 * ACCEPTED logs in; REJECTED and DISABLED give SMTP {@code 535 5.7.8}, IMAP {@code NO},
 * POP3 {@code -ERR}; UNAVAILABLE gives SMTP {@code 454 4.7.0} (through the hook), IMAP
 * {@code NO … processing failed}, POP3 {@code -ERR Unexpected error}. Each login writes one line
 * to the logger {@code org.jamespack.auth.audit} (login, protocol, client, backend, verdict,
 * reason, duration; never the password, every client-supplied value escaped by
 * {@link org.jamespack.auth.LogSafe}): INFO, WARN when UNAVAILABLE (INFO for the throttle's
 * {@code BUSY}, which outsiders can cause at will).
 *
 * <h2>Operations</h2>
 * Metrics through James' {@code MetricFactory} ({@link org.jamespack.auth.james.AuthPackMetrics}):
 * {@code jamespack.auth.backend.BACKEND.STATE} (counter per backend and verdict),
 * {@code jamespack.auth.backend.BACKEND.latency} (timer per backend),
 * {@code jamespack.auth.decision.STATE} (counter of what clients got). WebAdmin
 * ({@link org.jamespack.auth.james.AuthPackRoutes}): {@code GET /authpack/cache},
 * {@code DELETE /authpack/cache/users/{login}}, {@code DELETE /authpack/cache}. More modules for the
 * launcher come from {@link org.jamespack.auth.james.PackAddOn} service entries (the relay's health
 * check and routes).
 */
@NullMarked
package org.jamespack.auth.james;

import org.jspecify.annotations.NullMarked;
