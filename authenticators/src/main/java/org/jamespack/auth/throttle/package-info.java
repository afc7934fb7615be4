/**
 * Slowing failed logins and stopping password guessing per client address:
 * {@link org.jamespack.auth.throttle.ThrottlingVerifier} answers a failure only after a delay
 * (Dovecot's {@code auth_failure_delay}) and, after repeated failures from one address (IPv4
 * /32, IPv6 /64), answers that address REJECTED without asking the backend for a penalty time
 * that doubles up to a cap (Dovecot's anvil). The penalty keys on the address, never on the
 * login, so the real user on their own address is neither locked out nor slowed. Attempts
 * without a client address get the delay but no penalty.
 *
 * <p><b>Where the delay is paid.</b> James' Netty I/O threads are never parked where the pack
 * can reach the connection: SMTP AUTH ({@code PackAuthHook} in {@code smtpserver.xml}) and POP3
 * PASS ({@code PackPop3PassHandler} in {@code pop3server.xml}) judge the attempt
 * ({@link org.jamespack.auth.throttle.ThrottlingVerifier#judge}), answer a failure at once and
 * stop reading from that connection for the delay. Unlike Dovecot, which holds back the failure
 * answer, the client's <em>next command</em> waits; one connection still gets at most one
 * checked guess per delay (guesses pipelined before the failure answer are refused without
 * asking the backend), and other clients are not slowed. The POP3 handler then opens the
 * mailbox as already authenticated, so the mailbox path neither asks the backend nor sleeps a
 * second time. The mailbox {@code Authenticator} cannot reach the connection in James 3.8.1 and
 * sleeps on the calling thread ({@link org.jamespack.auth.throttle.ThrottlingVerifier#verify}),
 * measured as: IMAP LOGIN on James' {@code blocking-call-wrapper-*} pool (off the I/O threads,
 * so only that login waits); JMAP and WebAdmin basic logins on their request threads; and POP3
 * PASS on the POP3 server's Netty I/O threads ({@code pop3server-io-*}) only where
 * {@code pop3server.xml} lacks the pack's handler (or James runs with its stock launcher),
 * where a sleeping thread also holds up the other POP3 connections it serves. Hence the bounded
 * delay and {@code maxConcurrentDelays} (shared by every sleeping protocol).
 * Put the throttle outside the cache: {@code ThrottlingVerifier(CachingVerifier(chain))}.
 *
 * <p>Settings, as attributes or child elements of {@code <throttle>}; the keys marked
 * "per protocol" may be repeated inside {@code <protocol name="smtp|imap|pop3|…">} to override
 * them for one protocol (the others inherit the top-level value):
 * <pre>{@code
 * <throttle failureDelay="2s" penaltyMax="15s">
 *   <protocol name="smtp" failureDelay="1s"/>
 *   <protocol name="jmap" enabled="false"/>
 * </throttle>
 * }</pre>
 * <table>
 * <caption>{@code <throttle>} settings</caption>
 * <tr><th>key</th><th>type</th><th>default</th><th>meaning</th></tr>
 * <tr><td>{@code enabled}</td><td>boolean, per protocol</td><td>{@code true}</td>
 *     <td>whether logins are delayed and penalised at all; failures of a disabled protocol are
 *     not counted</td></tr>
 * <tr><td>{@code failureDelay}</td><td>duration, 0..10s, per protocol</td><td>{@code 2s}</td>
 *     <td>a REJECTED or DISABLED answer (and a throttled one) is given only after this
 *     delay</td></tr>
 * <tr><td>{@code penaltyAfter}</td><td>integer, 1..1000, per protocol</td><td>{@code 3}</td>
 *     <td>an address is penalised from this many failures on, so a typo or two is not</td></tr>
 * <tr><td>{@code penaltyInitial}</td><td>duration, 0..penaltyMax, per protocol</td><td>{@code 2s}</td>
 *     <td>the first penalty: after answering the {@code penaltyAfter}-th failure, the address
 *     is refused without a backend check for this long; each further failure doubles it</td></tr>
 * <tr><td>{@code penaltyMax}</td><td>duration, 0..1h, per protocol</td><td>{@code 15s}</td>
 *     <td>the penalty never grows beyond this</td></tr>
 * <tr><td>{@code forgetAfter}</td><td>duration, penaltyMax..1d</td><td>{@code 15m}</td>
 *     <td>an address's failures are forgotten this long after its last one (an ACCEPTED
 *     login from it forgets them at once)</td></tr>
 * <tr><td>{@code maxAddresses}</td><td>integer, 1..10000000</td><td>{@code 100000}</td>
 *     <td>the most client addresses remembered; the least useful are evicted first</td></tr>
 * <tr><td>{@code maxConcurrentDelays}</td><td>integer, 0..10000</td><td>{@code 16}</td>
 *     <td>the most threads sleeping out a failure delay at once (IMAP, JMAP, WebAdmin, and POP3
 *     without the pack's PASS handler; SMTP and POP3 with the pack's handlers hold back the
 *     connection instead and are not limited); further failures are answered at
 *     once (still counted and penalised), so a flood cannot park every protocol thread</td></tr>
 * <tr><td>{@code protocol}</td><td>element, repeated</td><td>none</td>
 *     <td>overrides of the per-protocol keys for the protocol named by its {@code name}</td></tr>
 * <tr><td>{@code name}</td><td>protocol name, in {@code protocol}</td><td>required</td>
 *     <td>{@code smtp}, {@code imap}, {@code pop3}, {@code jmap}, {@code managesieve},
 *     {@code webadmin} or {@code other}</td></tr>
 * </table>
 *
 * <p>Counters in {@link org.jamespack.auth.throttle.ThrottlingVerifier#stats()}.
 */
@NullMarked
package org.jamespack.auth.throttle;

import org.jspecify.annotations.NullMarked;
