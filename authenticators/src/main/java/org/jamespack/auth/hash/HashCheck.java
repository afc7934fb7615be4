package org.jamespack.auth.hash;

import java.util.Objects;

import net.jcip.annotations.Immutable;

/**
 * The outcome of checking a password against one stored {@code userPassword} value: MATCH,
 * MISMATCH, or UNSUPPORTED with the name of the scheme the pack cannot verify.
 *
 * <p>Immutable and thread-safe. Holds no secret: {@code scheme} is a scheme name such as
 * {@code SSHA} or {@code CRYPT-yescrypt}, never a stored value.
 *
 * @param outcome what the check found
 * @param scheme  the scheme that was (or could not be) checked, upper case, e.g. {@code SSHA512}
 */
@Immutable
public record HashCheck(Outcome outcome, String scheme) {

    /** The three results of a local password check. */
    public enum Outcome {
        MATCH,
        MISMATCH,
        /** The scheme is unknown, has no Java implementation (yescrypt) or the value is malformed. */
        UNSUPPORTED
    }

    public HashCheck {
        Objects.requireNonNull(outcome, "outcome");
        Objects.requireNonNull(scheme, "scheme");
    }

    static HashCheck of(boolean matches, String scheme) {
        return new HashCheck(matches ? Outcome.MATCH : Outcome.MISMATCH, scheme);
    }

    static HashCheck unsupported(String scheme) {
        return new HashCheck(Outcome.UNSUPPORTED, scheme);
    }

    public boolean matches() {
        return outcome == Outcome.MATCH;
    }
}
