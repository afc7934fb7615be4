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
 * @param scheme  the scheme that was (or could not be) checked, upper case, e.g. {@code SSHA512}; for
 *                OVER_LIMIT also the parameter and the cap it exceeds ({@code CRYPT-BCRYPT cost 31 over
 *                maxBcryptCost 12}), never the salt or hash
 */
@Immutable
public record HashCheck(Outcome outcome, String scheme) {

    /** The three results of a local password check. */
    public enum Outcome {
        MATCH,
        MISMATCH,
        /** The scheme is unknown, has no Java implementation (yescrypt) or the value is malformed. */
        UNSUPPORTED,
        /**
         * A cost parameter of the value (bcrypt cost, rounds, iterations, memory) is over the
         * configured {@link HashLimits}: nothing was computed, and the password is not known to be right.
         */
        OVER_LIMIT
    }

    public HashCheck {
        Objects.requireNonNull(outcome, "outcome");
        Objects.requireNonNull(scheme, "scheme");
    }

    static HashCheck of(boolean matches, String scheme) {
        return new HashCheck(matches ? Outcome.MATCH : Outcome.MISMATCH, scheme);
    }

    static HashCheck overLimit(String what) {
        return new HashCheck(Outcome.OVER_LIMIT, what);
    }

    static HashCheck unsupported(String scheme) {
        return new HashCheck(Outcome.UNSUPPORTED, scheme);
    }

    public boolean matches() {
        return outcome == Outcome.MATCH;
    }
}
