/**
 * A verdict cache in front of any verifier: {@link org.jamespack.auth.cache.CachingVerifier}
 * answers a repeated login from memory, so a client that polls every minute costs no directory
 * round trip, and optionally keeps known-good logins working during a backend outage for a
 * bounded time.
 *
 * <p>Only ACCEPTED and REJECTED are cached, each keyed by (login, protocol) and the password's
 * keyed hash (HMAC-SHA256, or PBKDF2 on request); a password that does not match is a miss, never a cached failure; a
 * DISABLED answer drops the entry; UNAVAILABLE is never cached. Put the cache inside the
 * {@code throttle} so that cached failures are still delayed:
 * {@code ThrottlingVerifier(CachingVerifier(chain))}.
 *
 * <p>Settings, as attributes or child elements of {@code <cache>} (a duration is {@code 500ms},
 * {@code 10s}, {@code 5m}, {@code 1h}; a bare number is seconds):
 * <table>
 * <caption>{@code <cache>} settings</caption>
 * <tr><th>key</th><th>type</th><th>default</th><th>meaning</th></tr>
 * <tr><td>{@code positiveTtl}</td><td>duration, 0..1d</td><td>{@code 10m}</td>
 *     <td>how long an ACCEPTED answer is reused for the same login, protocol and password;
 *     {@code 0} caches none. The trade-off: for up to this long after a change in the
 *     directory, the old password of a changed account, and a disabled, locked or deleted
 *     account, keep working with the password last accepted, unless the operator invalidates
 *     the user (WebAdmin {@code DELETE /authpack/cache/users/{login}}, every login form of the
 *     account) or the cache. 10 minutes spares the directory a client polling every minute;
 *     {@code 0} makes every change bite at once</td></tr>
 * <tr><td>{@code negativeTtl}</td><td>duration, 0..1d</td><td>{@code 1m}</td>
 *     <td>how long a REJECTED answer is reused for the same login, protocol and password (a
 *     client retrying an old password does not reach the directory's lockout counter);
 *     {@code 0} caches none</td></tr>
 * <tr><td>{@code maxEntries}</td><td>integer, 1..10000000</td><td>{@code 10000}</td>
 *     <td>the most (login, protocol) entries kept; the least useful are evicted first</td></tr>
 * <tr><td>{@code staleMaxAge}</td><td>duration, 0..1d</td><td>{@code 0}</td>
 *     <td>serve-stale: while the backend answers UNAVAILABLE, an ACCEPTED entry for the same
 *     password that is younger than this is served (and counted); {@code 0} is off; otherwise
 *     it must be longer than {@code positiveTtl}, e.g. {@code 1h}. A REJECTED entry is never
 *     served in an outage</td></tr>
 * <tr><td>{@code passwordHash}</td><td>{@code hmac-sha256} or {@code pbkdf2-sha256}</td><td>{@code hmac-sha256}</td>
 *     <td>how an entry remembers its password: HMAC-SHA256 under a random per-process key
 *     (about 1 µs), or PBKDF2-HMAC-SHA256 with a per-entry salt, slower for a heap-dump
 *     attacker and for every login alike (why HMAC is the default: {@code AttemptHasher} in
 *     this package)</td></tr>
 * <tr><td>{@code hashIterations}</td><td>integer, 100..100000</td><td>{@code 500}</td>
 *     <td>PBKDF2 iterations, used with {@code pbkdf2-sha256} only (about 0.2 µs each plus 35 µs:
 *     500 cost about 0.1 ms per login)</td></tr>
 * </table>
 *
 * <p>Operators: {@link org.jamespack.auth.cache.CachingVerifier#invalidate(String)} (one user,
 * every protocol: the login in any case, every login with the same local part, and, over one
 * LDAP backend, every cached login the directory resolves to the same entry or to none) and
 * {@link org.jamespack.auth.cache.CachingVerifier#invalidateAll()}. Both also drop what the
 * backends behind remember of the user (the LDAP login-to-DN cache, {@code dnCacheTtl}), so an
 * entry moved in the directory is searched again at once;
 * counters in {@link org.jamespack.auth.cache.CachingVerifier#stats()}.
 */
@NullMarked
package org.jamespack.auth.cache;

import org.jspecify.annotations.NullMarked;
