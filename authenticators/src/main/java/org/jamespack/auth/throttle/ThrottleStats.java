package org.jamespack.auth.throttle;

import net.jcip.annotations.Immutable;

/**
 * A snapshot of a {@link ThrottlingVerifier}'s counters since it was built.
 *
 * <p>Immutable and thread-safe.
 *
 * @param failures       REJECTED or DISABLED answers from the backend (or the input check)
 * @param throttled      attempts answered REJECTED without asking the backend, because their
 *                       (address, login) pair was penalised
 * @param delayed        failures delayed: answers slept on, or connections the caller was told
 *                       to hold back
 * @param delaysSkipped  failures answered at once because {@code maxConcurrentDelays} threads
 *                       were already sleeping
 * @param addresses      client addresses (IPv4 /32, IPv6 /64) remembered now, approximately
 * @param logins         (address, login) pairs remembered now, approximately
 * @param waited         attempts that waited for a check slot of their address
 * @param busy           attempts answered UNAVAILABLE (temporary) without a check, because their
 *                       address had no check slot free within {@code checkWait}
 */
@Immutable
public record ThrottleStats(long failures, long throttled, long delayed, long delaysSkipped, long addresses, long logins,
                            long waited, long busy) {
}
