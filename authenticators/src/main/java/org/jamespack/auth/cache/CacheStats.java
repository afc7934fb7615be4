package org.jamespack.auth.cache;

import net.jcip.annotations.Immutable;

/**
 * A snapshot of a {@link CachingVerifier}'s counters since it was built.
 *
 * <p>Immutable and thread-safe.
 *
 * @param hits        answers served from a fresh entry (ACCEPTED or REJECTED), the backend not asked
 * @param misses      attempts passed to the backend (no entry, an expired one, or a different password)
 * @param staleServed ACCEPTED answers served from an expired entry while the backend was UNAVAILABLE
 * @param entries     (login, protocol) entries held now, approximately
 */
@Immutable
public record CacheStats(long hits, long misses, long staleServed, long entries) {
}
