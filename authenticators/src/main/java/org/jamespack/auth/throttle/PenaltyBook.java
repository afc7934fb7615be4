package org.jamespack.auth.throttle;

import java.util.Locale;

import org.jamespack.auth.Verdict;
import org.jspecify.annotations.Nullable;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;

import net.jcip.annotations.ThreadSafe;

/**
 * The throttle's book of (address prefix, login) pairs: each pair's failures, when the last one
 * was answered and how many of its attempts are reserved but not yet answered, and which pairs
 * were ACCEPTED lately ("known": checked without waiting for their address's budget). At most
 * {@code maxAddresses} pairs of each kind, each forgotten {@code forgetAfter} after it was last
 * written, so a penalty lost to eviction only ends early.
 *
 * <p>Thread-safe: the maps are concurrent. A pair's read-then-update steps are atomic only under
 * its address's {@link AddressGate} monitor, which {@link ThrottlingVerifier} holds around them.
 */
@ThreadSafe
final class PenaltyBook {

    /** A client prefix and a login folded to lower case: what the penalty keys on. */
    record Pair(ClientPrefix client, String login) {
        static Pair of(ClientPrefix client, String login) {
            return new Pair(client, login.toLowerCase(Locale.ROOT));
        }
    }

    private final Cache<Pair, Failures> pairs;
    /** Pairs ACCEPTED within {@code forgetAfter}: checked without waiting for their address's budget. */
    private final Cache<Pair, Boolean> known;

    PenaltyBook(ThrottleSettings settings, Ticker ticker) {
        this.pairs = Caffeine.newBuilder()
            .maximumSize(settings.maxAddresses())
            .expireAfterWrite(settings.forgetAfter())
            .ticker(ticker)
            .executor(Runnable::run)
            .build();
        this.known = Caffeine.newBuilder()
            .maximumSize(settings.maxAddresses())
            .expireAfterWrite(settings.forgetAfter())
            .ticker(ticker)
            .executor(Runnable::run)
            .build();
    }

    /** Whether {@code pair} must keep quiet at {@code now} (ticker nanoseconds): its penalty window is open. */
    boolean inPenalty(Pair pair, long now, ThrottleSettings.PerProtocol rules) {
        @Nullable Failures f = pairs.getIfPresent(pair);
        return f != null && now - f.quietUntil(rules) < 0;
    }

    /**
     * Whether one more check of {@code pair} may start: it has none in flight, or fewer failures
     * plus checks in flight than {@code penaltyAfter} (more could all fail before the penalty).
     */
    boolean mayCheck(Pair pair, ThrottleSettings.PerProtocol rules) {
        @Nullable Failures f = pairs.getIfPresent(pair);
        return f == null || f.pending == 0 || f.count + f.pending < rules.penaltyAfter();
    }

    /** Whether {@code pair} was ACCEPTED within {@code forgetAfter} and has not failed since. */
    boolean isKnown(Pair pair) {
        return known.getIfPresent(pair) != null;
    }

    /** One attempt of {@code pair} is reserved: it will be settled when answered. */
    void reserve(Pair pair) {
        pairs.asMap().compute(pair, (k, old) -> Failures.orNone(old).plusPending(1));
    }

    /** {@code pair}'s reserved attempt is answered: a failure answered at {@code answeredAt}, or its count reset. */
    void settle(Pair pair, Verdict.State state, long answeredAt) {
        pairs.asMap().compute(pair, (k, old) -> {
            Failures f = Failures.orNone(old).plusPending(-1);
            switch (state) {
                case ACCEPTED:
                    // a right password for this login: its earlier failures were typos, not guessing
                    f = f.reset();
                    known.put(pair, Boolean.TRUE);
                    break;
                case REJECTED:
                case DISABLED:
                    f = f.failedAt(answeredAt);
                    known.invalidate(pair);
                    break;
                default:
                    break;
            }
            return f.isEmpty() ? null : f;
        });
    }

    /** The failures counted for {@code pair}, 0 when none or forgotten. */
    int failuresOf(Pair pair) {
        @Nullable Failures f = pairs.getIfPresent(pair);
        return f == null ? 0 : f.count;
    }

    /** Forgets every failure; known logins are kept. */
    void forgiveAll() {
        pairs.invalidateAll();
    }

    /** {@code user}'s logins (ignoring case) are no longer known. */
    void forgetKnown(String user) {
        String folded = user.toLowerCase(Locale.ROOT);
        known.asMap().keySet().removeIf(p -> p.login().equals(folded));
    }

    /** No login is known any more. */
    void forgetAllKnown() {
        known.invalidateAll();
    }

    /** How many pairs have failures or attempts in flight (an estimate, as the map's size). */
    long pairCount() {
        return pairs.estimatedSize();
    }

    /**
     * A pair's failure count, when the last one was answered (ticker nanoseconds), and how many
     * of its attempts are reserved but not yet answered.
     */
    private record Failures(int count, long lastAnsweredAt, int pending) {
        private static final Failures NONE = new Failures(0, 0, 0);

        static Failures orNone(@Nullable Failures f) {
            return f == null ? NONE : f;
        }

        /** The end of the pair's quiet time (ticker nanoseconds); in the past when none. */
        long quietUntil(ThrottleSettings.PerProtocol rules) {
            return count == 0 ? Long.MIN_VALUE / 2 : lastAnsweredAt + rules.penaltyFor(count).toNanos();
        }

        Failures plusPending(int n) {
            return new Failures(count, lastAnsweredAt, Math.max(0, pending + n));
        }

        Failures failedAt(long answeredAt) {
            return new Failures(count == Integer.MAX_VALUE ? count : count + 1, answeredAt, pending);
        }

        Failures reset() {
            return new Failures(0, 0, pending);
        }

        boolean isEmpty() {
            return count == 0 && pending == 0;
        }
    }
}
