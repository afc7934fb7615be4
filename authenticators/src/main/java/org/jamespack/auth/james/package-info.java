/**
 * The James 3.8.1 adapters, the only package that imports James: the pack's
 * {@link org.jamespack.auth.james.PackUsersRepository} (directory mode),
 * {@link org.jamespack.auth.james.PackAuthenticator} (password-only mode: James' mailbox
 * {@code Authenticator} for IMAP, POP3, JMAP), {@link org.jamespack.auth.james.PackAuthHook}
 * (SMTP AUTH, with {@code 454 4.7.0} when the backend is down), the Guice
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
 * <tr><td>{@code authpack/cache}</td><td>element</td><td>none</td><td>verdict cache, settings in the {@code cache} package</td></tr>
 * <tr><td>{@code authpack/throttle}</td><td>element</td><td>none</td><td>failed-login slow-down, settings in the {@code throttle} package</td></tr>
 * <tr><td>{@code enableVirtualHosting}</td><td>boolean</td><td>{@code true}</td>
 *   <td>James' key, read in directory mode: logins are full addresses</td></tr>
 * <tr><td>{@code administratorId}, {@code administratorIds/administratorId}</td><td>string</td><td>none</td>
 *   <td>James' keys, read in directory mode: who is a James administrator</td></tr>
 * </table>
 *
 * <h2>What each protocol answers</h2>
 * ACCEPTED logs in; REJECTED and DISABLED give SMTP {@code 535 5.7.8}, IMAP {@code NO},
 * POP3 {@code -ERR}; UNAVAILABLE gives SMTP {@code 454 4.7.0} (through the hook), IMAP
 * {@code NO … processing failed}, POP3 {@code -ERR Unexpected error}. Each login writes one line
 * to the logger {@code org.jamespack.auth.audit} (login, protocol, client, backend, verdict,
 * reason, duration; never the password): INFO, WARN when UNAVAILABLE.
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
