/**
 * The relay's SMTP client on Jakarta/Angus Mail: {@link org.jamespack.relay.smtp.SmtpConnector}
 * (STARTTLS required or implicit TLS, certificate and host name checked, forced mechanism),
 * {@link org.jamespack.relay.smtp.RelayConnection} (one reusable session; the ESMTP parameters of each transaction —
 * SIZE, DSN, SMTPUTF8, 8BITMIME — from the smarthost's EHLO reply, and the refusals of a message it cannot take:
 * {@code EnvelopeParameters}), {@code RelayTransport} (Angus' transport with the wait for the final {@code .} and
 * per-recipient parameters), {@code RelaySockets} ({@code TCP_NODELAY} on every socket),
 * {@link org.jamespack.relay.smtp.BearerSaslProvider} (XOAUTH2 and OAUTHBEARER SASL clients that
 * answer the 334 error challenge: empty line, or {@code AQ==}),
 * {@link org.jamespack.relay.smtp.FailureClassifier} (reply code + enhanced status to transient,
 * token stale, credential broken, policy, permanent), and
 * {@link org.jamespack.relay.smtp.TokenConnect} (connect with a route's token, refreshing it once when the smarthost
 * refuses it as stale; used by the delivery and {@code token test}). An open {@code SmtpConnector} holds the SASL
 * provider in the JVM's provider list and Angus' SMTP logger capped at INFO; the last one closed takes both back.
 *
 * <table>
 * <caption>Settings ({@link org.jamespack.relay.smtp.SmtpSettings}, set through the mailet)</caption>
 * <tr><th>key</th><th>type</th><th>default</th><th>meaning</th></tr>
 * <tr><td>{@code connectTimeout}</td><td>duration</td><td>{@code 30s}</td><td>TCP connect time-out</td></tr>
 * <tr><td>{@code readTimeout}</td><td>duration</td><td>{@code 2m}</td><td>time-out per reply and write</td></tr>
 * <tr><td>{@code trustStore}</td><td>path</td><td>JVM CAs</td><td>CAs for smarthost certificates</td></tr>
 * <tr><td>{@code trustStorePassword}</td><td>secret</td><td>none</td><td>its password</td></tr>
 * <tr><td>{@code trustStoreType}</td><td>{@code PKCS12|JKS}</td><td>{@code PKCS12}</td><td>its type</td></tr>
 * <tr><td>{@code maxAuthLine}</td><td>int</td><td>{@code 12288} (RFC 4954)</td><td>longest AUTH line with the initial response; else two-step</td></tr>
 * <tr><td>{@code idleTimeout}</td><td>duration</td><td>{@code 60s}</td><td>idle connection kept for the next message, closed with QUIT when this is over; {@code 0ms}: none kept</td></tr>
 * <tr><td>{@code dataEndTimeout}</td><td>duration</td><td>{@code 10m} (RFC 5321 4.5.3.2.6)</td><td>wait for the reply to the
 *   final {@code .}</td></tr>
 * <tr><td>{@code helo}</td><td>name</td><td>local host name</td><td>EHLO name for routes without {@code helo=}</td></tr>
 * </table>
 */
@NullMarked
package org.jamespack.relay.smtp;

import org.jspecify.annotations.NullMarked;
