package org.jamespack.auth.hash;

import net.jcip.annotations.Immutable;

/**
 * The most work one stored value may ask of a local password check, per scheme. A stored value
 * is data that a user may be able to write (OpenLDAP's default ACL lets a user write their own
 * {@code userPassword}), so its cost parameters are not trusted: a value over a cap is refused
 * before anything is computed ({@link HashCheck.Outcome#OVER_LIMIT}).
 *
 * <p>Immutable and thread-safe. The defaults keep one check at about 250 ms or less on the
 * project's 2-core build machine (figures in the package documentation).
 *
 * @param maxBcryptCost         highest bcrypt cost ({@code $2b$12$} is cost 12, 2^12 rounds)
 * @param maxShaCryptRounds     highest {@code rounds=} of SHA-crypt ({@code $5$}, {@code $6$}); without
 *                              {@code rounds=} it is 5 000
 * @param maxPbkdf2Iterations   highest PBKDF2 work, counted as iterations times output blocks (a 256-byte
 *                              key from HMAC-SHA-256 is 8 blocks, each of {@code iterations} rounds)
 * @param maxPbkdf2Length       longest PBKDF2 derived key, in bytes
 * @param maxArgon2Memory       highest Argon2 {@code m}, in KiB (each check in flight holds that much memory)
 * @param maxArgon2Iterations   highest Argon2 {@code t}
 * @param maxArgon2Parallelism  highest Argon2 {@code p}
 */
@Immutable
public record HashLimits(
    int maxBcryptCost,
    int maxShaCryptRounds,
    int maxPbkdf2Iterations,
    int maxPbkdf2Length,
    int maxArgon2Memory,
    int maxArgon2Iterations,
    int maxArgon2Parallelism) {

    public static final int DEFAULT_MAX_BCRYPT_COST = 12;
    public static final int DEFAULT_MAX_SHA_CRYPT_ROUNDS = 250_000;
    public static final int DEFAULT_MAX_PBKDF2_ITERATIONS = 250_000;
    public static final int DEFAULT_MAX_PBKDF2_LENGTH = 256;
    public static final int DEFAULT_MAX_ARGON2_MEMORY = 65_536;
    public static final int DEFAULT_MAX_ARGON2_ITERATIONS = 3;
    public static final int DEFAULT_MAX_ARGON2_PARALLELISM = 4;

    /** The defaults: bcrypt 12, SHA-crypt 250 000 rounds, PBKDF2 250 000 × blocks and 256 bytes, Argon2 64 MiB, t 3, p 4. */
    public static final HashLimits DEFAULTS = new HashLimits(DEFAULT_MAX_BCRYPT_COST, DEFAULT_MAX_SHA_CRYPT_ROUNDS,
        DEFAULT_MAX_PBKDF2_ITERATIONS, DEFAULT_MAX_PBKDF2_LENGTH, DEFAULT_MAX_ARGON2_MEMORY,
        DEFAULT_MAX_ARGON2_ITERATIONS, DEFAULT_MAX_ARGON2_PARALLELISM);

    public HashLimits {
        range("maxBcryptCost", maxBcryptCost, 4, 31);
        range("maxShaCryptRounds", maxShaCryptRounds, 1_000, 999_999_999);
        range("maxPbkdf2Iterations", maxPbkdf2Iterations, 1, Integer.MAX_VALUE);
        range("maxPbkdf2Length", maxPbkdf2Length, 1, 1 << 16);
        range("maxArgon2Memory", maxArgon2Memory, 8, 1 << 24);
        range("maxArgon2Iterations", maxArgon2Iterations, 1, 1 << 16);
        range("maxArgon2Parallelism", maxArgon2Parallelism, 1, 255);
    }

    private static void range(String key, int value, int min, int max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(key + " must be between " + min + " and " + max + ", not " + value);
        }
    }
}
