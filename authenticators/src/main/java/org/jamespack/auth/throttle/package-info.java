/**
 * Slowing failed logins and stopping password guessing per client address:
 * {@link org.jamespack.auth.throttle.ThrottlingVerifier} answers a failure only after a delay
 * (Dovecot's {@code auth_failure_delay}); after repeated failures of one login from one address
 * (IPv4 /32, IPv6 /64), it answers that (address, login) pair REJECTED without asking the
 * backend for a penalty time that doubles up to a cap (Dovecot's anvil); and it bounds the
 * backend checks one address causes across all its logins, in flight and per second (password
 * spraying). Attempts without a client address get the delay only.
 *
 * <p><b>Why the penalty keys on (address, login), and the budget on the address.</b> Many users
 * share one address behind a NAT, a carrier NAT or a webmail front end. A penalty on the whole
 * address would refuse every user behind it without a check while one of
 * them, or a guesser among them, kept failing, and their clients took the REJECTED for a wrong
 * password. Refusing without a check is therefore keyed on the pair: a guesser at bob is refused
 * whatever bob's password (so it learns nothing), and alice's right password from the same
 * address is still checked and ACCEPTED. A guesser who instead tries one password on many
 * logins is bounded by the address's check budget ({@code checksInFlight},
 * {@code checksPerSecond}, {@code checkBurst}): a check takes a token before the backend is asked
 * and gives it back when ACCEPTED, so failed checks are bounded and right passwords are not
 * spent from it. Beyond the budget an attempt waits for a slot (IMAP, JMAP, WebAdmin; up to
 * {@code checkWait}) or, where the caller runs on a Netty I/O thread that must not wait (SMTP
 * AUTH, POP3 PASS with the pack's handlers), it is answered at once with a temporary failure
 * (UNAVAILABLE, reason BUSY: SMTP {@code 454 4.7.0}, POP3 {@code -ERR}), which clients retry and
 * never take for a wrong password. The price: while an address sprays, its other users may wait
 * up to {@code checkWait}, or retry after a temporary failure.
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
 * which in James 3.8.1 is: IMAP LOGIN on James' {@code blocking-call-wrapper-*} pool (off the I/O threads,
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
 *     <td>an (address, login) pair is penalised from this many failures on, so a typo or two
 *     is not; it also bounds the pair's checks in flight (concurrent guesses at one login)</td></tr>
 * <tr><td>{@code penaltyInitial}</td><td>duration, 0..penaltyMax, per protocol</td><td>{@code 2s}</td>
 *     <td>the first penalty: after answering the {@code penaltyAfter}-th failure, the (address,
 *     login) pair is refused without a backend check for this long (other logins from the
 *     address are still checked); each further failure doubles it</td></tr>
 * <tr><td>{@code penaltyMax}</td><td>duration, 0..1h, per protocol</td><td>{@code 15s}</td>
 *     <td>the penalty never grows beyond this</td></tr>
 * <tr><td>{@code forgetAfter}</td><td>duration, penaltyMax..1d</td><td>{@code 15m}</td>
 *     <td>a pair's failures are forgotten this long after its last one (an ACCEPTED login of
 *     the pair forgets them at once); a pair ACCEPTED within this long is known, and checked
 *     beside its address's budget</td></tr>
 * <tr><td>{@code maxAddresses}</td><td>integer, 1..10000000</td><td>{@code 100000}</td>
 *     <td>the most client addresses remembered, and separately the most (address, login) pairs;
 *     the least useful are evicted first</td></tr>
 * <tr><td>{@code maxConcurrentDelays}</td><td>integer, 0..10000</td><td>{@code 16}</td>
 *     <td>the most threads sleeping out a failure delay or waiting for a check slot at once
 *     (IMAP, JMAP, WebAdmin, and POP3 without the pack's PASS handler; SMTP and POP3 with the
 *     pack's handlers hold back the connection instead and never wait); further failures are
 *     answered at once (still counted and penalised), further waiters get a temporary failure,
 *     so a flood cannot park every protocol thread</td></tr>
 * <tr><td>{@code checksInFlight}</td><td>integer, 1..1000</td><td>{@code 4}</td>
 *     <td>the most backend checks one address (all its logins together) has running at once;
 *     more wait or get a temporary failure</td></tr>
 * <tr><td>{@code checksPerSecond}</td><td>integer, 1..100000</td><td>{@code 5}</td>
 *     <td>the rate at which one address's check budget refills; a check that ends ACCEPTED (or
 *     UNAVAILABLE) gives its token back, so this bounds failed checks: password spraying from one
 *     address gets at most this many guesses a second after the burst. Raise it for a webmail
 *     front end whose users mistype often</td></tr>
 * <tr><td>{@code checkBurst}</td><td>integer, 1..100000</td><td>{@code 20}</td>
 *     <td>the budget's size: the failed checks one address may make at once before the rate
 *     applies</td></tr>
 * <tr><td>{@code checkWait}</td><td>duration, 0..30s</td><td>{@code 5s}</td>
 *     <td>how long an attempt waits, first come first served, for a check slot of its address
 *     where its caller may wait (IMAP, JMAP, WebAdmin); then, and at once in SMTP AUTH and POP3
 *     PASS, it is answered with a temporary failure (UNAVAILABLE, never REJECTED)</td></tr>
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
