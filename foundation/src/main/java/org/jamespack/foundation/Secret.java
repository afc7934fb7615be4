package org.jamespack.foundation;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;

import net.jcip.annotations.ThreadSafe;

/**
 * A password, token, refresh token or client secret: a value that must never be printed.
 *
 * <p>Thread-safe: the value is copied in and out and guarded by this object's monitor, so
 * {@link #erase()} racing a reader never exposes a half-erased value. {@link #toString()} never
 * shows the value, so a {@code Secret} may sit in a record, a log argument or an exception
 * message without leaking. Equality is decided in constant time (for a given length) so that a
 * comparison does not tell an attacker how many leading characters were right.
 *
 * <p>Modelled on Nimbus' {@code com.nimbusds.oauth2.sdk.auth.Secret}, which the authenticators
 * module does not depend on.
 */
@ThreadSafe
public final class Secret {

    private static final String REDACTED = "Secret[redacted]";

    private char[] value;
    private boolean erased;

    private Secret(char[] value) {
        this.value = value;
    }

    /** A secret holding a copy of {@code value}. */
    public static Secret of(CharSequence value) {
        if (value == null) {
            throw new IllegalArgumentException("a secret cannot be null");
        }
        char[] copy = new char[value.length()];
        for (int i = 0; i < copy.length; i++) {
            copy[i] = value.charAt(i);
        }
        return new Secret(copy);
    }

    /** A secret holding a copy of {@code value}. */
    public static Secret of(char[] value) {
        if (value == null) {
            throw new IllegalArgumentException("a secret cannot be null");
        }
        return new Secret(value.clone());
    }

    /** The value, for the one call that must send it on the wire. Never log the result. */
    public synchronized String reveal() {
        ensureNotErased();
        return new String(value);
    }

    /** A copy of the value as characters; the caller should zero it after use. */
    public synchronized char[] chars() {
        ensureNotErased();
        return value.clone();
    }

    /**
     * The value encoded as UTF-8; the caller should zero it after use. A lone surrogate becomes
     * {@code '?'} ({@link InputGuard} refuses such passwords before they get here).
     */
    public synchronized byte[] utf8() {
        ensureNotErased();
        ByteBuffer encoded = StandardCharsets.UTF_8.encode(CharBuffer.wrap(value));
        byte[] bytes = new byte[encoded.remaining()];
        encoded.get(bytes);
        if (encoded.hasArray()) {
            Arrays.fill(encoded.array(), (byte) 0);
        }
        return bytes;
    }

    public synchronized boolean isEmpty() {
        ensureNotErased();
        return value.length == 0;
    }

    public synchronized int length() {
        ensureNotErased();
        return value.length;
    }

    /** Whether any character of the value is one of {@code chars}. */
    public synchronized boolean containsAny(String chars) {
        ensureNotErased();
        for (char c : value) {
            if (chars.indexOf(c) >= 0) {
                return true;
            }
        }
        return false;
    }

    /** Overwrites the value; later reads throw {@link IllegalStateException}. */
    public synchronized void erase() {
        Arrays.fill(value, '\0');
        value = new char[0];
        erased = true;
    }

    private void ensureNotErased() {
        if (erased) {
            throw new IllegalStateException("the secret was erased");
        }
    }

    /**
     * Constant-time comparison of the characters (the length is not hidden). An erased secret
     * equals only itself.
     *
     * <p>Compares UTF-16 code units, not UTF-8 encodings: the JDK encoder replaces every lone
     * surrogate with {@code '?'}, so comparing encodings made {@code "pw\uD800"} equal
     * {@code "pw?"}.
     */
    @Override
    public boolean equals(Object other) {
        if (this == other) {
            return true;
        }
        if (!(other instanceof Secret)) {
            return false;
        }
        byte[] mine = utf16OrNull();
        byte[] theirs = ((Secret) other).utf16OrNull();
        try {
            return mine != null && theirs != null && MessageDigest.isEqual(mine, theirs);
        } finally {
            if (mine != null) {
                Arrays.fill(mine, (byte) 0);
            }
            if (theirs != null) {
                Arrays.fill(theirs, (byte) 0);
            }
        }
    }

    private synchronized byte[] utf16OrNull() {
        if (erased) {
            return null;
        }
        byte[] bytes = new byte[value.length * 2];
        for (int i = 0; i < value.length; i++) {
            bytes[2 * i] = (byte) (value[i] >> 8);
            bytes[2 * i + 1] = (byte) value[i];
        }
        return bytes;
    }

    /** Constant so that the hash leaks nothing about the value; secrets are not map keys. */
    @Override
    public int hashCode() {
        return 0x5ec7e7;
    }

    @Override
    public String toString() {
        return REDACTED;
    }
}
