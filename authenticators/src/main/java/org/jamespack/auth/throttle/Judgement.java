package org.jamespack.auth.throttle;

import java.time.Duration;
import java.util.Objects;

import org.jamespack.auth.Verdict;

import net.jcip.annotations.Immutable;

/**
 * Immutable and thread-safe: a verdict given at once, and the failure delay the caller owes
 * the client before it may try again ({@link Duration#ZERO} when none).
 *
 * <p>Returned by {@link ThrottlingVerifier#judge}, for callers that can hold back the
 * <em>connection</em> (stop reading from it) instead of sleeping on their own thread.
 *
 * @param verdict the answer, to be given now
 * @param delay   how long the caller must not read the client's next command; never negative
 */
@Immutable
public record Judgement(Verdict verdict, Duration delay) {

    public Judgement {
        Objects.requireNonNull(verdict, "verdict");
        Objects.requireNonNull(delay, "delay");
        if (delay.isNegative()) {
            throw new IllegalArgumentException("negative delay " + delay);
        }
    }

    /** {@code verdict} with no delay owed. */
    public static Judgement undelayed(Verdict verdict) {
        return new Judgement(verdict, Duration.ZERO);
    }
}
