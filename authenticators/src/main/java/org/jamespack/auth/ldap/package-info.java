/**
 * The LDAP backend: {@link org.jamespack.auth.ldap.LdapVerifier} checks logins the two ways of
 * qmail-ldap's {@code auth_pop} (rebind, compare) and lists users for directory mode.
 * Configured by an {@code <ldap>} element ({@link org.jamespack.auth.ldap.LdapVerifier#fromConfig})
 * or in code ({@link org.jamespack.auth.ldap.LdapSettings#builder()}); each key may be an
 * attribute or a child element, repeated keys as repeated elements or a comma-separated attribute.
 *
 * <table>
 * <caption>Settings of {@code <ldap>}</caption>
 * <tr><th>key</th><th>type</th><th>default</th><th>meaning</th></tr>
 * <tr><td>{@code url}</td><td>list of URLs</td><td>required</td><td>{@code ldap://host:port} or {@code ldaps://host:port}, one scheme for all; tried in order (failover)</td></tr>
 * <tr><td>{@code startTls}</td><td>boolean</td><td>false</td><td>StartTLS on every {@code ldap://} connection before anything else; host name always checked</td></tr>
 * <tr><td>{@code trustStore}</td><td>path</td><td>none (JVM default CAs)</td><td>PKCS12 or JKS file of the CAs trusted for ldaps/StartTLS</td></tr>
 * <tr><td>{@code trustStorePassword}</td><td>secret</td><td>none</td><td>password of the trust store</td></tr>
 * <tr><td>{@code trustStoreType}</td><td>PKCS12 or JKS</td><td>PKCS12</td><td>format of the trust store</td></tr>
 * <tr><td>{@code connectTimeout}</td><td>duration</td><td>5s</td><td>time-out of a TCP and TLS connect</td></tr>
 * <tr><td>{@code responseTimeout}</td><td>duration</td><td>5s</td><td>time-out of every LDAP operation (search, bind, compare)</td></tr>
 * <tr><td>{@code baseDn}</td><td>DN</td><td>required</td><td>subtree where users are searched</td></tr>
 * <tr><td>{@code bindDn}</td><td>DN</td><td>none (anonymous)</td><td>service account for searches, reads and compares</td></tr>
 * <tr><td>{@code bindPassword}</td><td>secret</td><td>none</td><td>its password; required with {@code bindDn}</td></tr>
 * <tr><td>{@code mode}</td><td>rebind, compare, compare-operation</td><td>rebind</td><td>rebind: bind as the user; compare: read the password attribute, verify the hash locally; compare-operation: LDAP Compare (server-verified or cleartext values only)</td></tr>
 * <tr><td>{@code dnTemplate}</td><td>text</td><td>none (search)</td><td>rebind without a search, e.g. {@code uid={login},ou=people,dc=example,dc=org}; the login is RDN-escaped</td></tr>
 * <tr><td>{@code loginAttribute}</td><td>list of attributes</td><td>uid</td><td>attributes a login may equal, any of them (e.g. {@code uid} and {@code mail})</td></tr>
 * <tr><td>{@code usernameAttribute}</td><td>attribute</td><td>the first {@code loginAttribute}</td><td>whose value is the user's canonical name for lookups and listings (use {@code mail} with virtual hosting)</td></tr>
 * <tr><td>{@code objectClass}</td><td>object class</td><td>none</td><td>the entry must have it (ANDed to the search, e.g. {@code qmailUser})</td></tr>
 * <tr><td>{@code filter}</td><td>LDAP filter</td><td>none</td><td>extra filter ANDed to the search, e.g. {@code (mailHost=mx1.example.org)}</td></tr>
 * <tr><td>{@code passwordAttribute}</td><td>attribute</td><td>userPassword</td><td>attribute read or compared in the compare modes</td></tr>
 * <tr><td>{@code poolSize}</td><td>integer 1..1000</td><td>8</td><td>most connections in each of the two pools (search, user binds)</td></tr>
 * <tr><td>{@code maxFailoverConnectionAge}</td><td>duration</td><td>5m</td><td>how long a connection to a later URL lives before the first is tried again</td></tr>
 * <tr><td>{@code healthCheckInterval}</td><td>duration</td><td>30s</td><td>how often idle pooled connections are checked (read of the root DSE)</td></tr>
 * <tr><td>{@code passwordPolicyControl}</td><td>boolean</td><td>true</td><td>send the ppolicy request control on user binds, so a locked account is DISABLED, not a wrong password</td></tr>
 * </table>
 *
 * <p>Not settings, always on: referrals are never followed; host names are checked on TLS;
 * qmail-ldap {@code accountStatus} ({@code disabled}, {@code noaccess}, {@code deleted}: DISABLED;
 * {@code nopop}: DISABLED for POP3) and 389-DS {@code nsAccountLock} are read with the entry.
 * The attributes {@code name} and {@code control} of {@code <ldap>} belong to the chain.
 */
@NullMarked
package org.jamespack.auth.ldap;

import org.jspecify.annotations.NullMarked;
