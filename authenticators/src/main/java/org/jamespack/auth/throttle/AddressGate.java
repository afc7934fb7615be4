package org.jamespack.auth.throttle;

import java.util.ArrayDeque;

import net.jcip.annotations.NotThreadSafe;

/**
 * One client address's check budget ({@link ThrottleSettings.AddressBudget}): the backend checks
 * in flight, the token bucket refilled at {@code checksPerSecond} up to {@code checkBurst}, and
 * the queue of attempts waiting for a slot, first come first served.
 *
 * <p>Not thread-safe by itself: every access holds the gate's own monitor, which
 * {@link ThrottlingVerifier} also holds around the address's pairs in the {@link PenaltyBook}
 * and waits on for a free slot.
 */
@NotThreadSafe
final class AddressGate {
    /** Tickets of the attempts waiting for a slot, oldest first. */
    final ArrayDeque<Object> queue = new ArrayDeque<>();
    /** Backend checks of this address not yet answered. */
    int inFlight;
    /** Tokens in the bucket; NaN until the first refill fills it to the burst. */
    double tokens = Double.NaN;
    private long refilledAt;

    AddressGate(long now) {
        this.refilledAt = now;
    }

    /** Adds the tokens earned since the last refill (ticker nanoseconds), up to the burst. */
    void refill(long now, ThrottleSettings.AddressBudget b) {
        if (Double.isNaN(tokens)) {
            tokens = b.checkBurst();
        }
        long elapsed = now - refilledAt;
        if (elapsed > 0) {
            tokens = Math.min(b.checkBurst(), tokens + elapsed * (b.checksPerSecond() / 1e9));
            refilledAt = now;
        }
    }

    /** Gives back the token of a check that did not fail. */
    void refund(ThrottleSettings.AddressBudget b) {
        tokens = Math.min(b.checkBurst(), (Double.isNaN(tokens) ? b.checkBurst() : tokens) + 1);
    }

    /** Nanoseconds until the bucket holds a whole token again. */
    long nanosToNextToken(ThrottleSettings.AddressBudget b) {
        return (long) Math.ceil((1 - tokens) * 1e9 / b.checksPerSecond());
    }
}
