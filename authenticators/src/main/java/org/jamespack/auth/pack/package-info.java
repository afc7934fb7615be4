/**
 * The pack itself, free of James: {@link org.jamespack.auth.pack.AuthPack} reads the
 * {@code <authpack>} element, builds its backends from {@link org.jamespack.auth.pack.BackendFactories}
 * (one backend, or a chain with PAM's control words), wraps them in the cache and the throttle,
 * and is the entrance of every login. The James adapters in {@code org.jamespack.auth.james}
 * turn a protocol's login into a {@link org.jamespack.auth.LoginAttempt} and ask the pack;
 * nothing here calls back into them.
 *
 * <p>One login walks: the protocol adapter, then the pack, which checks the input once
 * ({@link org.jamespack.auth.InputGuard}: empty password, control characters, over-long input;
 * a refused attempt reaches neither the cache nor a backend, but the throttle still delays and
 * counts it as a failure), then the throttle, the cache, the chain and its named, metered
 * backends ({@link org.jamespack.auth.chain.NamedBackend}), then LDAP or Kopano. The pack writes
 * one audit line per login and owns the connections held back for a failure delay
 * ({@link org.jamespack.auth.pack.ConnectionPauses}); closing the pack closes the backends and
 * ends that thread.
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
 * <tr><td>{@code authpack/imapMailHostAnswer}</td><td>{@code referral} | {@code no}</td><td>{@code referral}</td>
 *   <td>what IMAP answers a right login whose mailbox is on another host (qmail-ldap {@code mailHost}, with the
 *   {@code ldap} backend's {@code localHosts}): an RFC 2221 login referral
 *   {@code NO [REFERRAL imap://…@HOST/] LOGIN refused: …}, or a plain {@code NO} naming the host
 *   ({@link org.jamespack.auth.pack.MailHostAnswer}); POP3 always answers {@code -ERR [SYS/PERM]} naming the host,
 *   SMTP AUTH is not affected</td></tr>
 * <tr><td>{@code enableVirtualHosting}</td><td>boolean</td><td>{@code true}</td>
 *   <td>James' key, read in directory mode: logins are full addresses</td></tr>
 * <tr><td>{@code administratorId}, {@code administratorIds/administratorId}</td><td>string</td><td>none</td>
 *   <td>James' keys, read in directory mode: who is a James administrator</td></tr>
 * </table>
 *
 * <p>Each login writes one line to the logger {@code org.jamespack.auth.audit} (login, protocol,
 * client, backend, verdict, reason, detail, {@code mailhost=} when the verdict names the host that
 * holds the mailbox, duration; never the password, every client-supplied value
 * escaped by {@link org.jamespack.auth.LogSafe}): INFO, WARN when UNAVAILABLE (INFO for the
 * throttle's {@code BUSY}, which outsiders can cause at will).
 */
@NullMarked
package org.jamespack.auth.pack;

import org.jspecify.annotations.NullMarked;
