package org.jamespack.auth.throttle;

import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import org.jamespack.auth.Protocol;
import org.jamespack.foundation.config.ConfigNode;

import net.jcip.annotations.Immutable;

/**
 * The settings of a {@link ThrottlingVerifier}: the shared ones, and per protocol the delay
 * and the penalty curve (see the package documentation for the XML keys).
 *
 * <p>Immutable and thread-safe.
 *
 * @param common              the per-protocol settings of every protocol not listed in {@code perProtocol}
 * @param perProtocol         overrides for some protocols (copied)
 * @param forgetAfter         an address's failures are forgotten this long after its last one
 * @param maxAddresses        at most this many client addresses (IPv4 /32, IPv6 /64) are remembered,
 *                            and at most this many (address, login) pairs
 * @param maxConcurrentDelays at most this many threads sleep out a failure delay or wait for a
 *                            check slot at once; later failures are answered at once (still
 *                            counted, still penalised), later waiters get a temporary failure
 * @param budget              the backend checks one address may have in flight and per second,
 *                            across all its logins
 */
@Immutable
public record ThrottleSettings(PerProtocol common, Map<Protocol, PerProtocol> perProtocol, Duration forgetAfter,
                               int maxAddresses, int maxConcurrentDelays, AddressBudget budget) {

    public static final String ENABLED = "enabled";
    public static final String FAILURE_DELAY = "failureDelay";
    public static final String PENALTY_AFTER = "penaltyAfter";
    public static final String PENALTY_INITIAL = "penaltyInitial";
    public static final String PENALTY_MAX = "penaltyMax";
    public static final String FORGET_AFTER = "forgetAfter";
    public static final String MAX_ADDRESSES = "maxAddresses";
    public static final String MAX_CONCURRENT_DELAYS = "maxConcurrentDelays";
    public static final String CHECKS_IN_FLIGHT = "checksInFlight";
    public static final String CHECKS_PER_SECOND = "checksPerSecond";
    public static final String CHECK_BURST = "checkBurst";
    public static final String CHECK_WAIT = "checkWait";
    /** The element holding one protocol's overrides: {@code <protocol name="smtp">…</protocol>}. */
    public static final String PROTOCOL = "protocol";
    public static final String PROTOCOL_NAME = "name";

    /** Dovecot's {@code auth_failure_delay} default. */
    public static final Duration DEFAULT_FAILURE_DELAY = Duration.ofSeconds(2);
    public static final int DEFAULT_PENALTY_AFTER = 3;
    /** Dovecot's anvil starts at 2 s and doubles... */
    public static final Duration DEFAULT_PENALTY_INITIAL = Duration.ofSeconds(2);
    /** ...up to 15 s. */
    public static final Duration DEFAULT_PENALTY_MAX = Duration.ofSeconds(15);
    public static final Duration DEFAULT_FORGET_AFTER = Duration.ofMinutes(15);
    public static final int DEFAULT_MAX_ADDRESSES = 100_000;
    public static final int DEFAULT_MAX_CONCURRENT_DELAYS = 16;
    /** A client opening a few IMAP connections at once is checked in parallel; a guesser is not much faster. */
    public static final int DEFAULT_CHECKS_IN_FLIGHT = 4;
    /** Password spraying from one address: at most 5 failed guesses a second, 18 000 an hour, after the burst. */
    public static final int DEFAULT_CHECKS_PER_SECOND = 5;
    public static final int DEFAULT_CHECK_BURST = 20;
    /** Longer than a loaded directory's answer, shorter than a mail client's patience (typically 30 s or more). */
    public static final Duration DEFAULT_CHECK_WAIT = Duration.ofSeconds(5);

    /**
     * The longest failure delay accepted: the James SMTP AuthHook runs on a Netty I/O thread,
     * and every connection served by that thread waits while it sleeps.
     */
    public static final Duration MAX_FAILURE_DELAY = Duration.ofSeconds(10);
    public static final Duration MAX_PENALTY = Duration.ofHours(1);
    static final int MAX_PENALTY_AFTER = 1000;
    static final int MAX_MAX_ADDRESSES = 10_000_000;
    static final int MAX_MAX_CONCURRENT_DELAYS = 10_000;
    static final int MAX_CHECKS_IN_FLIGHT = 1000;
    static final int MAX_CHECKS_PER_SECOND = 100_000;
    static final Duration MAX_CHECK_WAIT = Duration.ofSeconds(30);

    /**
     * The backend checks one client address (IPv4 /32, IPv6 /64) may cause, across all the logins
     * it tries: at most {@code checksInFlight} at once, and a token bucket of {@code checkBurst}
     * tokens refilled at {@code checksPerSecond}. A check takes a token <em>before</em> the
     * backend is asked and gives it back when the answer is ACCEPTED or UNAVAILABLE, so the rate
     * bounds the failed checks (password spraying), not the right passwords of the users behind
     * one NAT or webmail front end. An attempt that finds no slot waits up to {@code checkWait},
     * first come first served, where its caller may block; then, or at once where its caller
     * must not block (a Netty I/O thread), it is answered UNAVAILABLE: a temporary failure the
     * client retries, never a wrong password.
     *
     * @param checksInFlight  backend checks of one address at once, 1..1000
     * @param checksPerSecond tokens added per second, 1..100000
     * @param checkBurst      the bucket's size, at least 1 and at most 100000
     * @param checkWait       the longest wait for a slot, 0..30s
     */
    @Immutable
    public record AddressBudget(int checksInFlight, int checksPerSecond, int checkBurst, Duration checkWait) {

        public AddressBudget {
            Objects.requireNonNull(checkWait, CHECK_WAIT);
            if (checksInFlight < 1 || checksInFlight > MAX_CHECKS_IN_FLIGHT) {
                throw new IllegalArgumentException(CHECKS_IN_FLIGHT + " must be within 1.." + MAX_CHECKS_IN_FLIGHT + ", was "
                    + checksInFlight);
            }
            if (checksPerSecond < 1 || checksPerSecond > MAX_CHECKS_PER_SECOND) {
                throw new IllegalArgumentException(CHECKS_PER_SECOND + " must be within 1.." + MAX_CHECKS_PER_SECOND + ", was "
                    + checksPerSecond);
            }
            if (checkBurst < 1 || checkBurst > MAX_CHECKS_PER_SECOND) {
                throw new IllegalArgumentException(CHECK_BURST + " must be within 1.." + MAX_CHECKS_PER_SECOND + ", was "
                    + checkBurst);
            }
            if (checkWait.isNegative() || checkWait.compareTo(MAX_CHECK_WAIT) > 0) {
                throw new IllegalArgumentException(CHECK_WAIT + " must be within 0.." + MAX_CHECK_WAIT + ", was " + checkWait);
            }
        }

        public static AddressBudget defaults() {
            return new AddressBudget(DEFAULT_CHECKS_IN_FLIGHT, DEFAULT_CHECKS_PER_SECOND, DEFAULT_CHECK_BURST,
                DEFAULT_CHECK_WAIT);
        }
    }

    /**
     * One protocol's throttling.
     *
     * @param enabled        whether attempts by this protocol are delayed and penalised at all
     *                       (their failures are then not counted either)
     * @param failureDelay   a REJECTED or DISABLED answer is given only after this delay
     * @param penaltyAfter   an (address, login) pair is penalised from this many failures on (1 = after the first)
     * @param penaltyInitial the first penalty; each further failure doubles it
     * @param penaltyMax     the penalty never grows beyond this
     */
    @Immutable
    public record PerProtocol(boolean enabled, Duration failureDelay, int penaltyAfter, Duration penaltyInitial,
                              Duration penaltyMax) {

        public PerProtocol {
            Objects.requireNonNull(failureDelay, FAILURE_DELAY);
            Objects.requireNonNull(penaltyInitial, PENALTY_INITIAL);
            Objects.requireNonNull(penaltyMax, PENALTY_MAX);
            if (failureDelay.isNegative() || failureDelay.compareTo(MAX_FAILURE_DELAY) > 0) {
                throw new IllegalArgumentException(FAILURE_DELAY + " must be within 0.." + MAX_FAILURE_DELAY + ", was " + failureDelay);
            }
            if (penaltyAfter < 1 || penaltyAfter > MAX_PENALTY_AFTER) {
                throw new IllegalArgumentException(PENALTY_AFTER + " must be within 1.." + MAX_PENALTY_AFTER + ", was " + penaltyAfter);
            }
            if (penaltyMax.isNegative() || penaltyMax.compareTo(MAX_PENALTY) > 0) {
                throw new IllegalArgumentException(PENALTY_MAX + " must be within 0.." + MAX_PENALTY + ", was " + penaltyMax);
            }
            if (penaltyInitial.isNegative() || penaltyInitial.compareTo(penaltyMax) > 0) {
                throw new IllegalArgumentException(PENALTY_INITIAL + " must be within 0.." + PENALTY_MAX + " (" + penaltyMax
                    + "), was " + penaltyInitial);
            }
        }

        public static PerProtocol defaults() {
            return new PerProtocol(true, DEFAULT_FAILURE_DELAY, DEFAULT_PENALTY_AFTER, DEFAULT_PENALTY_INITIAL, DEFAULT_PENALTY_MAX);
        }

        public PerProtocol withEnabled(boolean on) {
            return new PerProtocol(on, failureDelay, penaltyAfter, penaltyInitial, penaltyMax);
        }

        public PerProtocol withFailureDelay(Duration delay) {
            return new PerProtocol(enabled, delay, penaltyAfter, penaltyInitial, penaltyMax);
        }

        public PerProtocol withPenalty(int after, Duration initial, Duration max) {
            return new PerProtocol(enabled, failureDelay, after, initial, max);
        }

        /**
         * The quiet time an address must keep after its {@code failures}-th failure:
         * zero below {@link #penaltyAfter()}, then {@code penaltyInitial × 2^(failures − penaltyAfter)}
         * up to {@link #penaltyMax()}.
         */
        public Duration penaltyFor(int failures) {
            if (!enabled || failures < penaltyAfter) {
                return Duration.ZERO;
            }
            int doublings = failures - penaltyAfter;
            Duration p = penaltyInitial;
            for (int i = 0; i < doublings && p.compareTo(penaltyMax) < 0; i++) {
                p = p.multipliedBy(2);
            }
            return p.compareTo(penaltyMax) > 0 ? penaltyMax : p;
        }
    }

    public ThrottleSettings {
        Objects.requireNonNull(common, "common");
        Objects.requireNonNull(forgetAfter, FORGET_AFTER);
        perProtocol = Map.copyOf(perProtocol);
        if (maxAddresses < 1 || maxAddresses > MAX_MAX_ADDRESSES) {
            throw new IllegalArgumentException(MAX_ADDRESSES + " must be within 1.." + MAX_MAX_ADDRESSES + ", was " + maxAddresses);
        }
        if (maxConcurrentDelays < 0 || maxConcurrentDelays > MAX_MAX_CONCURRENT_DELAYS) {
            throw new IllegalArgumentException(MAX_CONCURRENT_DELAYS + " must be within 0.." + MAX_MAX_CONCURRENT_DELAYS
                + ", was " + maxConcurrentDelays);
        }
        Objects.requireNonNull(budget, "budget");
        Duration longestPenalty = common.penaltyMax();
        for (PerProtocol p : perProtocol.values()) {
            longestPenalty = p.penaltyMax().compareTo(longestPenalty) > 0 ? p.penaltyMax() : longestPenalty;
        }
        if (forgetAfter.compareTo(longestPenalty) < 0 || forgetAfter.compareTo(Duration.ofDays(1)) > 0) {
            throw new IllegalArgumentException(FORGET_AFTER + " must be at least the longest " + PENALTY_MAX + " ("
                + longestPenalty + ") and at most 1 day, was " + forgetAfter);
        }
    }

    public static ThrottleSettings defaults() {
        return new ThrottleSettings(PerProtocol.defaults(), Map.of(), DEFAULT_FORGET_AFTER, DEFAULT_MAX_ADDRESSES,
            DEFAULT_MAX_CONCURRENT_DELAYS, AddressBudget.defaults());
    }

    /** The settings that apply to {@code protocol}. */
    public PerProtocol forProtocol(Protocol protocol) {
        return perProtocol.getOrDefault(protocol, common);
    }

    public ThrottleSettings withCommon(PerProtocol c) {
        return new ThrottleSettings(c, perProtocol, forgetAfter, maxAddresses, maxConcurrentDelays, budget);
    }

    public ThrottleSettings withProtocol(Protocol protocol, PerProtocol p) {
        Map<Protocol, PerProtocol> copy = new EnumMap<>(Protocol.class);
        copy.putAll(perProtocol);
        copy.put(protocol, p);
        return new ThrottleSettings(common, copy, forgetAfter, maxAddresses, maxConcurrentDelays, budget);
    }

    public ThrottleSettings withForgetAfter(Duration d) {
        return new ThrottleSettings(common, perProtocol, d, maxAddresses, maxConcurrentDelays, budget);
    }

    public ThrottleSettings withMaxAddresses(int max) {
        return new ThrottleSettings(common, perProtocol, forgetAfter, max, maxConcurrentDelays, budget);
    }

    public ThrottleSettings withMaxConcurrentDelays(int max) {
        return new ThrottleSettings(common, perProtocol, forgetAfter, maxAddresses, max, budget);
    }

    public ThrottleSettings withBudget(AddressBudget b) {
        return new ThrottleSettings(common, perProtocol, forgetAfter, maxAddresses, maxConcurrentDelays, b);
    }

    /**
     * Reads the {@code <throttle>} element; every problem is recorded on {@code node.problems()}
     * with file, line and key, and the default stands in for a wrong value, so that the caller
     * throws once for the whole file. {@code <protocol name="…">} children override the
     * per-protocol keys for one protocol; the others inherit the top-level values.
     */
    public static ThrottleSettings from(ConfigNode node) {
        PerProtocol base = perProtocol(node, PerProtocol.defaults());
        Map<Protocol, PerProtocol> overrides = new EnumMap<>(Protocol.class);
        for (ConfigNode p : node.children(PROTOCOL)) {
            Optional<Protocol> protocol = p.parsed(PROTOCOL_NAME, Protocol::fromConfigName);
            if (!p.has(PROTOCOL_NAME)) {
                p.problem(PROTOCOL_NAME, "is required");
            }
            PerProtocol settings = perProtocol(p, base);
            if (protocol.isPresent()) {
                if (overrides.containsKey(protocol.get())) {
                    p.problem(PROTOCOL_NAME, "'" + protocol.get().configName() + "' is given more than once");
                }
                overrides.put(protocol.get(), settings);
            }
        }
        Duration longestPenalty = base.penaltyMax();
        for (PerProtocol p : overrides.values()) {
            longestPenalty = p.penaltyMax().compareTo(longestPenalty) > 0 ? p.penaltyMax() : longestPenalty;
        }
        Duration forget = node.duration(FORGET_AFTER, DEFAULT_FORGET_AFTER.compareTo(longestPenalty) >= 0
            ? DEFAULT_FORGET_AFTER : longestPenalty);
        if (forget.compareTo(longestPenalty) < 0 || forget.compareTo(Duration.ofDays(1)) > 0) {
            node.problem(FORGET_AFTER, "'" + forget + "' must be at least the longest " + PENALTY_MAX + " (" + longestPenalty
                + ") and at most 1 day");
            forget = longestPenalty;
        }
        int addresses = node.integer(MAX_ADDRESSES, DEFAULT_MAX_ADDRESSES, 1, MAX_MAX_ADDRESSES);
        int delays = node.integer(MAX_CONCURRENT_DELAYS, DEFAULT_MAX_CONCURRENT_DELAYS, 0, MAX_MAX_CONCURRENT_DELAYS);
        int inFlight = node.integer(CHECKS_IN_FLIGHT, DEFAULT_CHECKS_IN_FLIGHT, 1, MAX_CHECKS_IN_FLIGHT);
        int perSecond = node.integer(CHECKS_PER_SECOND, DEFAULT_CHECKS_PER_SECOND, 1, MAX_CHECKS_PER_SECOND);
        int burst = node.integer(CHECK_BURST, DEFAULT_CHECK_BURST, 1, MAX_CHECKS_PER_SECOND);
        Duration wait = node.duration(CHECK_WAIT, DEFAULT_CHECK_WAIT);
        if (wait.compareTo(MAX_CHECK_WAIT) > 0) {
            node.problem(CHECK_WAIT, "'" + wait + "' is longer than " + MAX_CHECK_WAIT + " (a waiting login holds a protocol thread)");
            wait = DEFAULT_CHECK_WAIT;
        }
        node.reportUnread();
        return new ThrottleSettings(base, overrides, forget, addresses, delays, new AddressBudget(inFlight, perSecond, burst, wait));
    }

    private static PerProtocol perProtocol(ConfigNode node, PerProtocol inherited) {
        boolean enabled = node.bool(ENABLED, inherited.enabled());
        Duration delay = node.duration(FAILURE_DELAY, inherited.failureDelay());
        if (delay.compareTo(MAX_FAILURE_DELAY) > 0) {
            node.problem(FAILURE_DELAY, "'" + delay + "' is longer than " + MAX_FAILURE_DELAY
                + " (the delay holds a protocol thread)");
            delay = inherited.failureDelay();
        }
        int after = node.integer(PENALTY_AFTER, inherited.penaltyAfter(), 1, MAX_PENALTY_AFTER);
        Duration initial = node.duration(PENALTY_INITIAL, inherited.penaltyInitial());
        Duration max = node.duration(PENALTY_MAX, inherited.penaltyMax());
        if (max.compareTo(MAX_PENALTY) > 0) {
            node.problem(PENALTY_MAX, "'" + max + "' is longer than " + MAX_PENALTY);
            max = inherited.penaltyMax();
        }
        if (initial.compareTo(max) > 0) {
            node.problem(PENALTY_INITIAL, "'" + initial + "' is longer than " + PENALTY_MAX + " (" + max + ")");
            initial = max;
        }
        return new PerProtocol(enabled, delay, after, initial, max);
    }
}
