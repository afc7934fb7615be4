package org.jamespack.auth.cache;

import java.time.Duration;
import java.util.Objects;

import org.jamespack.foundation.config.ConfigNode;

import net.jcip.annotations.Immutable;

/**
 * The settings of a {@link CachingVerifier}, validated when built; see the package
 * documentation for the XML keys.
 *
 * <p>Immutable and thread-safe.
 *
 * @param positiveTtl    how long an ACCEPTED answer is reused for the same login, protocol and
 *                       password; {@link Duration#ZERO} caches no ACCEPTED answer
 * @param negativeTtl    how long a REJECTED answer is reused for the same login, protocol and
 *                       password; {@link Duration#ZERO} caches no REJECTED answer
 * @param maxEntries     at most this many (login, protocol) entries are kept; the least useful
 *                       go first
 * @param staleMaxAge    while the backend is UNAVAILABLE, an ACCEPTED entry younger than this
 *                       is served anyway; {@link Duration#ZERO} (the default) turns this off,
 *                       otherwise it must be longer than {@code positiveTtl}
 * @param passwordHash   how an entry remembers its password (HMAC-SHA256 by default)
 * @param hashIterations PBKDF2 iterations when {@code passwordHash} is {@link PasswordHash#PBKDF2_SHA256}
 */
@Immutable
public record CacheSettings(Duration positiveTtl, Duration negativeTtl, int maxEntries, Duration staleMaxAge,
                            PasswordHash passwordHash, int hashIterations) {

    public static final String POSITIVE_TTL = "positiveTtl";
    public static final String NEGATIVE_TTL = "negativeTtl";
    public static final String MAX_ENTRIES = "maxEntries";
    public static final String STALE_MAX_AGE = "staleMaxAge";
    public static final String PASSWORD_HASH = "passwordHash";
    public static final String HASH_ITERATIONS = "hashIterations";

    public static final Duration DEFAULT_POSITIVE_TTL = Duration.ofMinutes(10);
    public static final Duration DEFAULT_NEGATIVE_TTL = Duration.ofMinutes(1);
    public static final int DEFAULT_MAX_ENTRIES = 10_000;
    public static final Duration DEFAULT_STALE_MAX_AGE = Duration.ZERO;
    public static final PasswordHash DEFAULT_PASSWORD_HASH = PasswordHash.HMAC_SHA256;
    /** About 0.1 ms per hash with the JDK's intrinsified SHA-256 (why not more: {@link AttemptHasher}). */
    public static final int DEFAULT_HASH_ITERATIONS = 500;

    static final int MAX_MAX_ENTRIES = 10_000_000;
    static final int MIN_HASH_ITERATIONS = 100;
    static final int MAX_HASH_ITERATIONS = 100_000;
    /** Longer answers than this would outlive any password change an operator expects to see. */
    static final Duration MAX_TTL = Duration.ofDays(1);

    public CacheSettings {
        Objects.requireNonNull(positiveTtl, POSITIVE_TTL);
        Objects.requireNonNull(negativeTtl, NEGATIVE_TTL);
        Objects.requireNonNull(staleMaxAge, STALE_MAX_AGE);
        Objects.requireNonNull(passwordHash, PASSWORD_HASH);
        requireWithin(positiveTtl, POSITIVE_TTL);
        requireWithin(negativeTtl, NEGATIVE_TTL);
        requireWithin(staleMaxAge, STALE_MAX_AGE);
        if (maxEntries < 1 || maxEntries > MAX_MAX_ENTRIES) {
            throw new IllegalArgumentException(MAX_ENTRIES + " must be within 1.." + MAX_MAX_ENTRIES + ", was " + maxEntries);
        }
        if (!staleMaxAge.isZero() && staleMaxAge.compareTo(positiveTtl) <= 0) {
            throw new IllegalArgumentException(STALE_MAX_AGE + " must be 0 (off) or longer than " + POSITIVE_TTL
                + " (" + positiveTtl + "), was " + staleMaxAge);
        }
        if (hashIterations < MIN_HASH_ITERATIONS || hashIterations > MAX_HASH_ITERATIONS) {
            throw new IllegalArgumentException(HASH_ITERATIONS + " must be within " + MIN_HASH_ITERATIONS + ".."
                + MAX_HASH_ITERATIONS + ", was " + hashIterations);
        }
    }

    private static void requireWithin(Duration d, String key) {
        if (d.isNegative() || d.compareTo(MAX_TTL) > 0) {
            throw new IllegalArgumentException(key + " must be within 0.." + MAX_TTL + ", was " + d);
        }
    }

    /** The defaults of the settings table: 10 minutes positive, 1 minute negative, 10 000 entries, no stale answers. */
    public static CacheSettings defaults() {
        return new CacheSettings(DEFAULT_POSITIVE_TTL, DEFAULT_NEGATIVE_TTL, DEFAULT_MAX_ENTRIES, DEFAULT_STALE_MAX_AGE,
            DEFAULT_PASSWORD_HASH, DEFAULT_HASH_ITERATIONS);
    }

    public CacheSettings withPositiveTtl(Duration ttl) {
        return new CacheSettings(ttl, negativeTtl, maxEntries, staleMaxAge, passwordHash, hashIterations);
    }

    public CacheSettings withNegativeTtl(Duration ttl) {
        return new CacheSettings(positiveTtl, ttl, maxEntries, staleMaxAge, passwordHash, hashIterations);
    }

    public CacheSettings withMaxEntries(int max) {
        return new CacheSettings(positiveTtl, negativeTtl, max, staleMaxAge, passwordHash, hashIterations);
    }

    public CacheSettings withStaleMaxAge(Duration age) {
        return new CacheSettings(positiveTtl, negativeTtl, maxEntries, age, passwordHash, hashIterations);
    }

    /** PBKDF2-HMAC-SHA256 with {@code iterations}, instead of the default HMAC. */
    public CacheSettings withPbkdf2(int iterations) {
        return new CacheSettings(positiveTtl, negativeTtl, maxEntries, staleMaxAge, PasswordHash.PBKDF2_SHA256, iterations);
    }

    public CacheSettings withPasswordHash(PasswordHash hash) {
        return new CacheSettings(positiveTtl, negativeTtl, maxEntries, staleMaxAge, hash, hashIterations);
    }

    /** Whether an ACCEPTED entry may be served while the backend is down. */
    public boolean servesStale() {
        return !staleMaxAge.isZero();
    }

    /**
     * Reads the settings from {@code node}; every problem is recorded on {@code node.problems()}
     * (with file, line and key) and the defaults are used in its place, so that the caller can
     * collect all problems and throw once. Unknown keys are reported too.
     */
    public static CacheSettings from(ConfigNode node) {
        CacheSettings d = defaults();
        Duration positive = node.duration(POSITIVE_TTL, d.positiveTtl());
        Duration negative = node.duration(NEGATIVE_TTL, d.negativeTtl());
        int max = node.integer(MAX_ENTRIES, d.maxEntries(), 1, MAX_MAX_ENTRIES);
        Duration stale = node.duration(STALE_MAX_AGE, d.staleMaxAge());
        PasswordHash hash = node.choice(PASSWORD_HASH, d.passwordHash(), PasswordHash.byConfigName());
        int iterations = node.integer(HASH_ITERATIONS, d.hashIterations(), MIN_HASH_ITERATIONS, MAX_HASH_ITERATIONS);
        node.reportUnread();
        if (positive.compareTo(MAX_TTL) > 0) {
            node.problem(POSITIVE_TTL, "'" + positive + "' is longer than " + MAX_TTL);
            positive = d.positiveTtl();
        }
        if (negative.compareTo(MAX_TTL) > 0) {
            node.problem(NEGATIVE_TTL, "'" + negative + "' is longer than " + MAX_TTL);
            negative = d.negativeTtl();
        }
        if (stale.compareTo(MAX_TTL) > 0) {
            node.problem(STALE_MAX_AGE, "'" + stale + "' is longer than " + MAX_TTL);
            stale = Duration.ZERO;
        } else if (!stale.isZero() && stale.compareTo(positive) <= 0) {
            node.problem(STALE_MAX_AGE, "'" + stale + "' must be 0 (off) or longer than " + POSITIVE_TTL + " (" + positive + ")");
            stale = Duration.ZERO;
        }
        return new CacheSettings(positive, negative, max, stale, hash, iterations);
    }
}
