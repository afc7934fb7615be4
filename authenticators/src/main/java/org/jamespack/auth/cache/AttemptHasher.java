package org.jamespack.auth.cache;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.security.spec.InvalidKeySpecException;
import java.util.Arrays;

import javax.crypto.Mac;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;

import org.jamespack.auth.LoginAttempt;

import net.jcip.annotations.ThreadSafe;

/**
 * What a cache entry remembers of the password it was answered for: a keyed hash of (login,
 * protocol, password), never the password.
 *
 * <p><b>Why an HMAC by default, and PBKDF2 only on request.</b> By default the hash is
 * HMAC-SHA256 under a 256-bit key drawn from {@link SecureRandom} when the cache is built, kept
 * only in this object, never written, logged or shared; {@code passwordHash="pbkdf2-sha256"}
 * stores PBKDF2-HMAC-SHA256 instead, salted with 32 random bytes per cache plus the login and
 * protocol (a salt per entry), with {@code hashIterations} iterations. The threat both answer is
 * a heap dump or other memory disclosure. Whoever reads the heap has the HMAC key or the salt as
 * well, so what remains is the cost per offline guess: one HMAC, or N of them for PBKDF2. But the
 * same reader also has the passwords of the logins in flight and the backend's own bind
 * credentials, so the hash guards little that is not already lost; and every cache hit pays it.
 * A PBKDF2 with a few hundred iterations costs about as much as the directory bind on a nearby
 * directory that the cache exists to save, and multiplies an attacker's cost only by a few
 * hundred; an HMAC costs about a microsecond. Operators who weigh a heap dump higher than login
 * latency choose PBKDF2 and its iteration count (see the package's settings table).
 *
 * <p>Every copy of the password made here is zeroed after use (the JDK's PBKDF2 key object keeps
 * one until it is collected, and its cleaner zeroes it).
 *
 * <p>Thread-safe: the key never changes after construction, and each thread has its own
 * {@link Mac} and {@link SecretKeyFactory}, which are not documented thread-safe.
 */
@ThreadSafe
final class AttemptHasher {

    private static final int SECRET_BYTES = 32;
    private static final int HASH_BITS = 256;
    /** SecretKeyFactory instances are not documented thread-safe: one per thread. */
    private static final ThreadLocal<SecretKeyFactory> PBKDF2 = ThreadLocal.withInitial(() -> {
        try {
            return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256");
        } catch (NoSuchAlgorithmException e) {
            // every Java SE 8+ runtime must provide it (Java Security Standard Algorithm Names)
            throw new IllegalStateException("the JDK lacks PBKDF2WithHmacSHA256", e);
        }
    });

    private final PasswordHash algorithm;
    private final int iterations;
    /** The HMAC key, or the PBKDF2 salt prefix: random, in this object only. */
    private final byte[] processSecret;
    /** Mac instances are not thread-safe: one per thread, keyed once. */
    private final ThreadLocal<Mac> hmac;

    AttemptHasher(PasswordHash algorithm, int iterations) {
        this.algorithm = algorithm;
        this.iterations = iterations;
        this.processSecret = new byte[SECRET_BYTES];
        new SecureRandom().nextBytes(processSecret);
        this.hmac = ThreadLocal.withInitial(() -> {
            try {
                Mac mac = Mac.getInstance("HmacSHA256");
                mac.init(new SecretKeySpec(processSecret, "HmacSHA256"));
                return mac;
            } catch (GeneralSecurityException e) {
                // every Java SE runtime must provide HmacSHA256 (Java Security Standard Algorithm Names)
                throw new IllegalStateException("the JDK lacks HmacSHA256", e);
            }
        });
    }

    /** The hash of {@code attempt}'s login, protocol and password. */
    byte[] hash(LoginAttempt attempt) {
        return algorithm == PasswordHash.PBKDF2_SHA256 ? pbkdf2(attempt) : hmac(attempt);
    }

    private byte[] hmac(LoginAttempt attempt) {
        // hashes are compared only within one (login, protocol) entry, so the fields before the
        // password are the same for both sides of a comparison: NUL needs no escaping here
        byte[] login = attempt.login().getBytes(StandardCharsets.UTF_8);
        byte[] password = attempt.password().utf8();
        try {
            Mac mac = hmac.get();
            mac.update(login);
            mac.update((byte) 0);
            mac.update((byte) attempt.protocol().ordinal());
            mac.update((byte) 0);
            mac.update(password);
            return mac.doFinal();
        } finally {
            Arrays.fill(password, (byte) 0);
        }
    }

    private byte[] pbkdf2(LoginAttempt attempt) {
        byte[] login = attempt.login().getBytes(StandardCharsets.UTF_8);
        ByteBuffer salt = ByteBuffer.allocate(processSecret.length + login.length + 2);
        salt.put(processSecret).put(login).put((byte) 0).put((byte) attempt.protocol().ordinal());
        char[] password = attempt.password().chars();
        PBEKeySpec spec = new PBEKeySpec(password, salt.array(), iterations, HASH_BITS);
        try {
            return PBKDF2.get().generateSecret(spec).getEncoded();
        } catch (InvalidKeySpecException e) {
            throw new IllegalStateException("PBKDF2 refused its parameters", e);
        } finally {
            spec.clearPassword();
            Arrays.fill(password, '\0');
        }
    }
}
