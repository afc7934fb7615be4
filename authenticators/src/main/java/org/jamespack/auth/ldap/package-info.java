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
 * <tr><td>{@code dnTemplate}</td><td>text</td><td>none (search)</td><td>rebind without a search, e.g. {@code uid={login},ou=people,dc=example,dc=org}; the login is RDN-escaped; {@code objectClass} and {@code filter} still apply (see below)</td></tr>
 * <tr><td>{@code loginAttribute}</td><td>list of attributes</td><td>uid</td><td>attributes a login may equal, any of them (e.g. {@code uid} and {@code mail})</td></tr>
 * <tr><td>{@code usernameAttribute}</td><td>attribute</td><td>the first {@code loginAttribute}</td><td>whose value is the user's canonical name for lookups and listings (use {@code mail} with virtual hosting)</td></tr>
 * <tr><td>{@code objectClass}</td><td>object class</td><td>none</td><td>the entry must have it (ANDed to the search, e.g. {@code qmailUser})</td></tr>
 * <tr><td>{@code filter}</td><td>LDAP filter</td><td>none</td><td>extra filter ANDed to the search, e.g. {@code (mailHost=mx1.example.org)}</td></tr>
 * <tr><td>{@code passwordAttribute}</td><td>attribute</td><td>userPassword</td><td>attribute read or compared in the compare modes</td></tr>
 * <tr><td>{@code poolSize}</td><td>integer 1..1000</td><td>8</td><td>connections in each of the two pools (search, user binds), all opened at start; size it to the logins checked at once (James' protocol threads): a login that finds no free connection waits for one, which is what shows in p99</td></tr>
 * <tr><td>{@code maxFailoverConnectionAge}</td><td>duration</td><td>5m</td><td>how long a connection to a later URL lives before the first is tried again</td></tr>
 * <tr><td>{@code healthCheckInterval}</td><td>duration</td><td>30s</td><td>how often idle pooled connections are checked (read of the root DSE)</td></tr>
 * <tr><td>{@code passwordPolicyControl}</td><td>boolean</td><td>true</td><td>send the ppolicy request control on user binds, so a locked account is DISABLED, not a wrong password; left out when the directory's root DSE lists its supported controls without it (Active Directory, no ppolicy overlay), where it would only be ignored</td></tr>
 * <tr><td>{@code maxBcryptCost}</td><td>integer 4..31</td><td>12</td><td>compare mode: a stored bcrypt value of higher cost is REJECTED uncomputed</td></tr>
 * <tr><td>{@code maxShaCryptRounds}</td><td>integer</td><td>250000</td><td>compare mode: highest SHA-crypt {@code rounds=} ({@code $5$}, {@code $6$})</td></tr>
 * <tr><td>{@code maxPbkdf2Iterations}</td><td>integer</td><td>250000</td><td>compare mode: highest PBKDF2 work, iterations times output blocks (389-DS's 256-byte legacy key from SHA-256 counts 8 blocks)</td></tr>
 * <tr><td>{@code maxPbkdf2Length}</td><td>bytes</td><td>256</td><td>compare mode: longest PBKDF2 derived key</td></tr>
 * <tr><td>{@code maxArgon2Memory}</td><td>KiB</td><td>65536</td><td>compare mode: highest Argon2 {@code m} (each check in flight holds that much heap)</td></tr>
 * <tr><td>{@code maxArgon2Iterations}</td><td>integer</td><td>3</td><td>compare mode: highest Argon2 {@code t}</td></tr>
 * <tr><td>{@code maxArgon2Parallelism}</td><td>integer</td><td>4</td><td>compare mode: highest Argon2 {@code p}</td></tr>
 * <tr><td>{@code dummyHash}</td><td>stored value</td><td>a fixed {@code {SSHA}} value</td><td>compare mode: what an unknown user's password is checked against, so that an unknown user costs what a known one does; set it to the scheme and cost your users have (e.g. a {@code {CRYPT}$6$rounds=5000$…} of a random password); must be verifiable and within the caps</td></tr>
 * <tr><td>{@code dnCacheTtl}</td><td>duration</td><td>60s</td><td>rebind and compare mode with a search: how long a login's DN, found by a search, is used directly (rebind: bound without searching first, one directory operation per login; compare: the entry read afresh at that DN by a base-scope search instead of a subtree search); {@code 0s} turns the DN cache off; see below</td></tr>
 * <tr><td>{@code dnCacheSize}</td><td>integer 1..10000000</td><td>10000</td><td>the most logins the DN cache holds (least useful evicted first)</td></tr>
 * <tr><td>{@code mailHostAttribute}</td><td>attribute</td><td>mailHost</td><td>the attribute that names the host holding the user's mailbox (qmail-ldap clustering); read only with {@code localHosts}</td></tr>
 * <tr><td>{@code localHosts}</td><td>list of host names</td><td>none (off)</td><td>this server's names (qmail-ldap's {@code control/me} and its aliases); when set, a right password whose entry names another host is ACCEPTED naming that host, and IMAP and POP3 send the client there (see below)</td></tr>
 * </table>
 *
 * <p><b>The login-to-DN cache</b> (rebind mode with a search, on by default). A search that finds
 * exactly one entry caches it for {@code dnCacheTtl}: its DN and the attributes the search read
 * ({@code accountStatus}, {@code nsAccountLock}, the username). The next login of that name binds
 * the cached DN at once; the directory still checks every password, and no password or verdict is
 * cached. When that bind fails with invalidCredentials or noSuchObject, the login is searched once
 * more before anything is answered: an entry that moved or was renamed is bound at its new DN, so
 * it never turns into a wrong password; if the search finds the same DN, the first bind's REJECTED
 * stands (a wrong password costs a bind and a search). What it costs: a change of
 * {@code accountStatus} or {@code nsAccountLock} (389-DS also refuses the bind itself, result 53),
 * of {@code objectClass}/{@code filter} membership, or of the login attributes is seen up to
 * {@code dnCacheTtl} late; ppolicy locks are not (they come with the bind). The verdict cache's
 * invalidation (WebAdmin, {@code CachingVerifier#invalidate}) drops the user's cached DN too, by
 * login or by canonical username. {@code dnCacheTtl=0s} restores search-then-bind for every login.
 *
 * <p>In <b>compare mode</b> the cache holds the DN only as a place to look (never the stored hash: it is dropped from
 * what is cached): a login seen before is read afresh at its cached DN with a base-scope search that carries the login
 * filter, {@code objectClass} and {@code filter}. It is still one search per login, but a direct read for the
 * directory instead of an index look-up under {@code baseDn}; the password hash, {@code accountStatus},
 * {@code nsAccountLock} and the login's match are read with every login, so nothing is seen late. An entry that is
 * gone or no longer answers for the login (renamed, moved, its address given to another entry) is searched for under
 * {@code baseDn} as if never cached. What it costs: a second entry that starts to answer for the same login is seen
 * (as an ambiguous login) only after {@code dnCacheTtl} or an invalidation.
 *
 * <p><b>Stored-hash cost caps</b> (compare mode). A stored value is data, and OpenLDAP's default
 * ACL lets a user write their own {@code userPassword}: one value such as {@code $2b$31$} or an
 * Argon2 {@code m=1048576} would cost minutes of CPU or all memory per login. A value whose cost
 * parameter exceeds its cap is REJECTED (reason UNSUPPORTED_SCHEME) without being computed, with a
 * WARN naming the entry's DN and the parameter, never the value. The dummy check for unknown
 * users takes its cost from {@code dummyHash}, never from a value read earlier. The defaults are
 * chosen so that one check costs about a quarter of a second of one CPU core or less; each step
 * up roughly doubles that (bcrypt cost 13, or twice the rounds, iterations or Argon2 memory).
 * PBKDF2's cap counts iterations times output blocks, so a SHA-512 value costs more per iteration
 * than a SHA-1 one. Raise a cap only for a directory whose users cannot write their own password
 * attribute.
 *
 * <p><b>Time-outs are not retried.</b> A user bind (rebind mode) or Compare that times out is
 * UNAVAILABLE after one {@code responseTimeout}: the directory may be computing a costly hash,
 * and a second try would double the wait and its CPU. A bind on a pooled connection that broke
 * (the directory restarted) is retried once on a new connection, and so is a Compare
 * (compare-operation mode); UnboundID's own retry is left to searches, and auto-reconnect stays off.
 *
 * <p><b>{@code dnTemplate} with {@code objectClass} or {@code filter}.</b> After the templated
 * bind succeeds, the entry is read with a base-scope search that carries both; an entry that does
 * not match is REJECTED (as unknown as a DN that does not exist), and {@code lookup} does not find
 * it. Why not a configuration error: the entry is read after every templated bind anyway (for
 * {@code accountStatus}), so the restriction rides on that read at no extra round trip, and an
 * operator keeps both the cheap login path and the population limit; refusing the combination
 * would push them to drop the filter, the very widening to avoid. The search account must be
 * able to read the users' entries (without {@code bindDn}, anonymously).
 *
 * <p><b>Referrals.</b> Search continuation references (RFC 4511 4.5.3) mean the entry may live
 * on another server: the login is UNAVAILABLE with the references' URLs in the reason, not
 * REJECTED (it is not a wrong password, and the throttle does not count it), and {@code lookup}
 * fails as unavailable. Point {@code baseDn} at the server and subtree that hold the users.
 *
 * <p><b>Mail hosts (qmail-ldap clustering), off by default.</b> With {@code localHosts} set,
 * the attribute {@code mailHostAttribute} is requested by the same search (or templated read)
 * that finds the entry, and compared, ignoring case and a trailing dot, with {@code localHosts}:
 * no value, or one of them, means the mailbox is here; another host name means it is elsewhere,
 * and the ACCEPTED verdict names it ({@code Verdict#mailHost}). The password was right either
 * way: SMTP submission and James' {@code UsersRepository#test} accept as before, while IMAP
 * answers with a login referral and POP3 with {@code -ERR [SYS/PERM]} naming the host (the James
 * adapters). A value that is not one host name, several values, or an entry the search account
 * cannot read after a templated bind make the login UNAVAILABLE (PROTOCOL_ERROR, SERVER_ERROR):
 * the pack cannot tell where the mailbox is. Off by default because without this server's own
 * names "elsewhere" cannot be told from "here", as qmail-ldap keeps clustering off until
 * {@code ldapcluster} is set. The DN cache holds the value read with the entry: a moved mailbox
 * is seen up to {@code dnCacheTtl} late (and cached ACCEPTED verdicts carry the host for the
 * verdict cache's {@code positiveTtl}). An ACL that hides the attribute from the search account
 * looks like "no value": here.
 *
 * <p>Not settings, always on: referrals are never followed; host names are checked on TLS;
 * qmail-ldap {@code accountStatus} ({@code disabled}, {@code noaccess}, {@code deleted}: DISABLED;
 * {@code nopop}: DISABLED for POP3) and 389-DS {@code nsAccountLock} are read with the entry.
 * The attributes {@code name} and {@code control} of {@code <ldap>} belong to the chain.
 */
@NullMarked
package org.jamespack.auth.ldap;

import org.jspecify.annotations.NullMarked;
