/**
 * Kopano / Zarafa: a password is checked by logging on to the groupware server over
 * MAPI-in-SOAP with it, as pam_mapi does for PAM; Kopano keeps passwords in a salted form only
 * it can check. {@link org.jamespack.auth.kopano.KopanoVerifier} is the entry point:
 * {@code KopanoVerifier.fromConfig(node)} for a {@code <kopano>} element (read by
 * {@code KopanoSettings.from(node)}), {@code KopanoVerifier.create(KopanoSettings.builder()…build())}
 * in code.
 *
 * <p>One check: {@code logon} (ulFlags 0x1 "no UID auth" always, capabilities 528 = Unicode +
 * 64-bit session ids, nothing else), then {@code getUser} on the new session for the object
 * class (65537 = active user) and the effective disabled-features list, then {@code logoff},
 * always, on the same connection. With {@code sessionless} the check is logon alone with
 * ulFlags 3 (Kopano 8.5+ checks the password without registering a session; older servers
 * ignore the bit, and a session id that comes back is logged off).
 *
 * <p>Verdicts: 0x80000009 is REJECTED, and it is the server's only logon failure: wrong password,
 * unknown user, non-active user and the server's own LDAP or database outage all look the same,
 * so a groupware-side directory outage reads as a wrong password. A non-active object or a
 * closed feature gate is DISABLED. A refused, reset or timed-out connection, an HTTP error, a
 * SOAP Fault or an unparseable answer is UNAVAILABLE, and so is a {@code logonResponse} or
 * {@code getUserResponse} whose {@code er} is absent, {@code xsi:nil}, empty or not a number
 * (logged at WARN as a server fault): gSOAP would read those as 0, success, but a server that
 * sends no error code has not said the logon worked, so it is never ACCEPTED; 0x80000031 (Unicode capability missing),
 * 0x80000021 (client version refused) and a gate on a server without features (Zarafa before 7)
 * are UNAVAILABLE with an ERROR log, since they are this side's fault. A pooled connection the
 * server dropped while idle is replaced once; a session that ended before {@code getUser}
 * (END_OF_SESSION) earns one fresh logon, then UNAVAILABLE.
 *
 * <p>Security: {@code file://} (the UNIX socket) is refused unless {@code allowUnixSocket} is
 * set, because with {@code local_admin_users} (root and kopano by default) or
 * {@code allow_local_users} the server does not check the password of a local caller without
 * flag 0x1: a James running as root would accept any password, an open relay. The flag is sent
 * anyway. No client certificate is ever presented on TLS (Kopano accepts a registered one
 * instead of a password). The password never reaches a log line or exception; {@code debug}
 * masks it and the session id.
 *
 * <p>The element, with every key (a key may also be written as an attribute):
 * <pre>{@code
 * <kopano control="sufficient" name="kopano">        <!-- control, name: read by the chain loader -->
 *   <url>http://localhost:236/kopano</url>
 *   <service>imap|pop3</service>                      <!-- default gate: every protocol not listed below -->
 *   <service protocol="imap">imap</service>           <!-- IMAP logins need the imap feature -->
 *   <service protocol="pop3">pop3</service>
 *   <ungatedProtocols>smtp</ungatedProtocols>         <!-- SMTP AUTH on the password alone -->
 *   <quiet>true</quiet>
 *   <debug>false</debug>
 *   <connectTimeout>5s</connectTimeout>
 *   <responseTimeout>5s</responseTimeout>
 * </kopano>
 * }</pre>
 *
 * <table>
 * <caption>Settings of {@code <kopano>}, next to pam_mapi's options</caption>
 * <tr><th>key</th><th>type</th><th>default</th><th>pam_mapi</th><th>meaning</th></tr>
 * <tr><td>url</td><td>URL</td><td>http://localhost:236/kopano</td><td>socket=</td><td>the server; any path
 *   ({@code /kopano}, {@code /zarafa}, {@code /}); {@code https://} (port 237 when none is given) or
 *   {@code file:///var/run/kopano/server.sock} (refused unless allowUnixSocket)</td></tr>
 * <tr><td>service</td><td>feature list, repeatable</td><td>none (no gate)</td><td>service=</td><td>pam_mapi
 *   syntax {@code pop3|imap|mobile|outlook}, any feature name, case-insensitive, passes when any listed
 *   feature is on; without {@code protocol} attribute the default, with {@code protocol="imap"} (smtp, imap,
 *   pop3, jmap, managesieve, webadmin, other) the gate for that protocol only; empty text without
 *   {@code protocol} means no default gate; an empty per-protocol element is a configuration error (use
 *   ungatedProtocols)</td></tr>
 * <tr><td>ungatedProtocols</td><td>protocol list (comma or space separated, or repeated)</td><td>none</td>
 *   <td>(none)</td><td>protocols let through on the password alone while a service gate is set; once any gate
 *   is set, a protocol with no gate of its own, no default gate and not listed here is DISABLED after the
 *   password check; an error without any gate, or for a protocol that also has a gate</td></tr>
 * <tr><td>quiet</td><td>boolean</td><td>false</td><td>quiet</td><td>logon failures (REJECTED) are not
 *   logged, for stacking</td></tr>
 * <tr><td>debug</td><td>boolean</td><td>false</td><td>debug</td><td>every SOAP request and answer is
 *   logged at INFO, password and session id masked</td></tr>
 * <tr><td>sessionless</td><td>boolean</td><td>false</td><td>(none)</td><td>logon with ulFlags 3 and no
 *   getUser: password only, no object-class or feature check; not with a service gate</td></tr>
 * <tr><td>allowUnixSocket</td><td>boolean</td><td>false</td><td>(none; pam_mapi warns)</td><td>accept a
 *   {@code file://} url; flag 0x1 stays on, so the server still checks the password</td></tr>
 * <tr><td>connectTimeout</td><td>duration</td><td>5s</td><td>(none)</td><td>time to connect and finish
 *   the TLS handshake</td></tr>
 * <tr><td>responseTimeout</td><td>duration</td><td>5s</td><td>(none)</td><td>time for one SOAP call, from
 *   sending to the last byte of the answer</td></tr>
 * <tr><td>idleTimeout</td><td>duration</td><td>4s</td><td>(none)</td><td>how long an idle keep-alive
 *   connection is reused; keep it under the server's 5 s</td></tr>
 * <tr><td>maxIdleConnections</td><td>integer</td><td>8</td><td>(none)</td><td>idle connections kept for
 *   reuse (0 = a new connection per check)</td></tr>
 * <tr><td>trustStore</td><td>path</td><td>the JDK's trust store</td><td>(none)</td><td>certificates
 *   trusted for https://</td></tr>
 * <tr><td>trustStorePassword</td><td>secret</td><td>none</td><td>(none)</td><td>the trust store's
 *   password; never logged</td></tr>
 * <tr><td>trustStoreType</td><td>PKCS12 or JKS</td><td>PKCS12</td><td>(none)</td><td>the trust store's
 *   format</td></tr>
 * <tr><td>verifyHostname</td><td>boolean</td><td>true</td><td>(none)</td><td>check that the server's
 *   certificate names the url's host</td></tr>
 * </table>
 *
 * <p>Protocols without a gate. pam_mapi has one PAM file per service, so a service without a file
 * has no way in; here one element serves every protocol, and a protocol nobody wrote a gate for
 * (JMAP, ManageSieve, WebAdmin, or {@code other}, a caller the pack cannot name) would otherwise
 * get in on the password alone, a silent widening of what the operator wrote for IMAP and POP3.
 * So once any gate is set, such a protocol is DISABLED unless {@code ungatedProtocols} lists it,
 * or a default {@code <service>} (without {@code protocol}) gates it. Without any gate at all,
 * every protocol is checked on the password alone, as pam_mapi without {@code service=}.
 *
 * <p>pam_mapi's {@code try_first_pass} and {@code use_first_pass} have no key: James hands every
 * verifier of a chain the same login and password ({@code org.jamespack.auth.chain}), which is
 * what both options ask for. pam_mapi's {@code account} line has no counterpart either: the
 * object class and feature checks are made at authentication.
 */
@NullMarked
package org.jamespack.auth.kopano;

import org.jspecify.annotations.NullMarked;
