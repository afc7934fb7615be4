package org.jamespack.auth.throttle;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

import org.jamespack.auth.CredentialVerifier;
import org.jamespack.auth.InputGuard;
import org.jamespack.auth.LoginAttempt;
import org.jamespack.auth.Verdict;
import org.jamespack.auth.config.ConfigNode;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;

import net.jcip.annotations.ThreadSafe;

/**
 * Thread-safe: slows failed logins down and stops password guessing from one client address
 * before it reaches the backend (where it would count towards the real user's lockout).
 *
 * <p>Two mechanisms, after Dovecot's {@code auth_failure_delay} and its anvil penalty:
 * <ul>
 * <li><b>Failure delay.</b> A REJECTED or DISABLED answer is given only after
 *     {@code failureDelay} (default 2 s). DISABLED is delayed too, so that timing does not tell
 *     a right password on a disabled account from a wrong one. ACCEPTED and UNAVAILABLE are
 *     never delayed.</li>
 * <li><b>Penalty per client address.</b> Failures are counted per address (IPv4 /32, IPv6
 *     /64, see {@link ClientPrefix}). From the {@code penaltyAfter}-th failure on, the address
 *     must keep quiet for {@code penaltyInitial}, doubled at each further failure up to
 *     {@code penaltyMax}, counted from when the failure was answered. An attempt inside that
 *     window is answered REJECTED (after the failure delay) <em>without asking the backend</em>,
 *     even if its password is right: it is counted as throttled, not as a failure, so the window
 *     is not stretched by the attempts it refuses. An address's count is forgotten
 *     {@code forgetAfter} after its last failure, and reset by an ACCEPTED login from it.</li>
 * </ul>
 * Failures by every throttled protocol count together for an address (an attacker switching
 * from IMAP to POP3 keeps its count); the protocol of the attempt at hand decides the delay and
 * the penalty curve. A protocol with {@code enabled=false} is passed straight through: neither
 * delayed, nor counted, nor refused.
 *
 * <p>Trade-off of the reset: an attacker who owns one account can clear their address's count
 * by logging in to it, but still pays the failure delay on every guess and gets at most
 * {@code penaltyAfter − 1} guesses per reset; an operator who prefers to count every failure
 * sets {@code penaltyAfter} to 1.
 *
 * <p>The penalty keys on the address, never on the login: the real user, logging in from their
 * own address, is not locked out by an attacker elsewhere, and their correct login is never
 * slowed. When {@link LoginAttempt#client()} is empty (the caller could not tell the address)
 * there is no penalty, only the failure delay: one shared "unknown" bucket would let one
 * attacker lock out every such caller.
 *
 * <p><b>Blocking.</b> Two ways to pay the delay. {@link #judge} never sleeps: it answers at
 * once and returns the delay the caller owes, which James' SMTP hook pays by not reading from
 * that client's connection for the delay (the protocol I/O thread goes on serving everyone
 * else). Unlike Dovecot, which holds back the failure <em>answer</em>, the answer then comes at
 * once and the client's <em>next command</em> waits; a guesser on one connection still gets at
 * most one answer per delay, and the penalty counts from the end of the delay, as with a
 * delayed answer. {@link #verify} sleeps on the calling thread, for callers that cannot hold a
 * connection back (James' mailbox {@code Authenticator}: IMAP, POP3, JMAP, WebAdmin); that is
 * why the delay is bounded ({@link ThrottleSettings#MAX_FAILURE_DELAY}) and why at most
 * {@code maxConcurrentDelays} threads sleep at once (further failures are answered at once,
 * still counted and penalised; the penalty, which needs no sleep, then does the slowing).
 * Interrupting a sleeping thread ends the delay early and keeps the interrupt flag.
 *
 * <p>Memory: at most {@code maxAddresses} addresses, each a few dozen bytes; the least useful
 * are evicted first (a penalty lost to eviction only ends early).
 *
 * <p>Logs name the address, login, protocol and verdict; never the password.
 */
@ThreadSafe
public final class ThrottlingVerifier implements CredentialVerifier {

    private static final Logger LOG = LoggerFactory.getLogger(ThrottlingVerifier.class);

    /** How a delay is waited out; tests record it instead of sleeping. */
    @FunctionalInterface
    interface Sleeper {
        void sleep(Duration d) throws InterruptedException;
    }

    private final ThrottleSettings settings;
    private final CredentialVerifier delegate;
    private final Ticker ticker;
    private final Sleeper sleeper;
    private final Semaphore sleepers;
    private final Cache<ClientPrefix, Failures> addresses;
    private final LongAdder failures = new LongAdder();
    private final LongAdder throttled = new LongAdder();
    private final LongAdder delayed = new LongAdder();
    private final LongAdder delaysSkipped = new LongAdder();

    /** A throttle with {@code settings} in front of {@code delegate}; closing it closes the delegate. */
    public ThrottlingVerifier(ThrottleSettings settings, CredentialVerifier delegate) {
        this(settings, delegate, Ticker.systemTicker(), d -> TimeUnit.NANOSECONDS.sleep(d.toNanos()));
    }

    /** For tests: {@code ticker} gives the time in nanoseconds, {@code sleeper} waits out delays. */
    ThrottlingVerifier(ThrottleSettings settings, CredentialVerifier delegate, Ticker ticker, Sleeper sleeper) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.delegate = Objects.requireNonNull(delegate, "delegate");
        this.ticker = Objects.requireNonNull(ticker, "ticker");
        this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
        this.sleepers = new Semaphore(settings.maxConcurrentDelays());
        this.addresses = Caffeine.newBuilder()
            .maximumSize(settings.maxAddresses())
            .expireAfterWrite(settings.forgetAfter())
            .ticker(ticker)
            .executor(Runnable::run)
            .build();
    }

    /**
     * Builds a throttle from the {@code <throttle>} element {@code throttleNode} (keys in the
     * package documentation). Problems are recorded on {@code throttleNode.problems()}, and the
     * defaults stand in for wrong values, so the caller throws once for the whole file.
     */
    public static ThrottlingVerifier fromConfig(ConfigNode throttleNode, CredentialVerifier delegate) {
        return new ThrottlingVerifier(ThrottleSettings.from(throttleNode), delegate);
    }

    /**
     * Answers after sleeping out the failure delay on the calling thread (bounded by
     * {@code maxConcurrentDelays}): for callers that cannot hold back the client's connection.
     * Callers that can (James' SMTP hook) use {@link #judge} instead.
     */
    @Override
    public Verdict verify(LoginAttempt attempt) {
        return decide(attempt, false).verdict();
    }

    /**
     * Answers at once and says how long the caller must hold back the client's connection (not
     * read its next command); never sleeps. The failure is counted as answered when that delay
     * ends, so the penalty window is the same as with {@link #verify}.
     */
    public Judgement judge(LoginAttempt attempt) {
        return decide(attempt, true);
    }

    /**
     * Sleeps out {@code owed} on the calling thread, bounded like {@link #verify}'s delay: for a
     * caller of {@link #judge} that finds it cannot hold back the connection after all.
     */
    public void waitOut(Duration owed) {
        sleep(owed);
    }

    private Judgement decide(LoginAttempt attempt, boolean callerDelays) {
        ThrottleSettings.PerProtocol rules = settings.forProtocol(attempt.protocol());
        if (!rules.enabled()) {
            return Judgement.undelayed(delegate.verify(attempt));
        }
        Optional<ClientPrefix> client = attempt.client().map(ClientPrefix::of);
        if (client.isPresent()) {
            Failures known = addresses.getIfPresent(client.get());
            if (known != null) {
                long quietUntil = known.lastAnsweredAt + rules.penaltyFor(known.count).toNanos();
                if (ticker.read() - quietUntil < 0) {
                    throttled.increment();
                    LOG.info("login throttled: client={} login={} protocol={} failures={}", client.get(), attempt.login(),
                        attempt.protocol(), known.count);
                    return failure(Verdict.rejected(Verdict.Reason.INVALID_CREDENTIALS, "throttled"), rules, callerDelays,
                        Optional.empty());
                }
            }
        }
        Optional<Verdict> refused = InputGuard.precheck(attempt);
        Verdict verdict = refused.isPresent() ? refused.get() : delegate.verify(attempt);
        switch (verdict.state()) {
            case ACCEPTED:
                // a right password from the address: its earlier failures were typos, not guessing
                client.ifPresent(addresses::invalidate);
                return Judgement.undelayed(verdict);
            case REJECTED:
            case DISABLED:
                failures.increment();
                return failure(verdict, rules, callerDelays, client);
            case UNAVAILABLE:
                return Judgement.undelayed(verdict);
            default:
                throw new IllegalStateException("unknown verdict state " + verdict.state());
        }
    }

    /** Delays (or has the caller delay) a failure answer, then counts it for {@code client}. */
    private Judgement failure(Verdict verdict, ThrottleSettings.PerProtocol rules, boolean callerDelays,
                              Optional<ClientPrefix> client) {
        Duration d = rules.failureDelay();
        if (!callerDelays) {
            sleep(d);
            client.ifPresent(c -> recordFailure(c, 0));
            return Judgement.undelayed(verdict);
        }
        if (!d.isZero()) {
            delayed.increment();
        }
        // the client may speak again only when the delay ends: count the penalty from there
        client.ifPresent(c -> recordFailure(c, d.toNanos()));
        return new Judgement(verdict, d);
    }

    private void recordFailure(ClientPrefix client, long answeredInNanos) {
        long answeredAt = ticker.read() + answeredInNanos;
        addresses.asMap().compute(client, (k, old) -> new Failures(old == null ? 1 : saturatedIncrement(old.count), answeredAt));
    }

    private static int saturatedIncrement(int n) {
        return n == Integer.MAX_VALUE ? n : n + 1;
    }

    private void sleep(Duration d) {
        if (d.isZero() || d.isNegative()) {
            return;
        }
        if (!sleepers.tryAcquire()) {
            delaysSkipped.increment();
            return;
        }
        try {
            delayed.increment();
            sleeper.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            sleepers.release();
        }
    }

    /** The failures counted for {@code client}'s prefix (0 when none or forgotten); for tests and admin routes. */
    public int failuresOf(java.net.InetAddress client) {
        @Nullable Failures f = addresses.getIfPresent(ClientPrefix.of(client));
        return f == null ? 0 : f.count;
    }

    /** Forgets every address's failures (an operator lifting all penalties). */
    public void forgiveAll() {
        addresses.invalidateAll();
    }

    /** The counters since this throttle was built. */
    public ThrottleStats stats() {
        return new ThrottleStats(failures.sum(), throttled.sum(), delayed.sum(), delaysSkipped.sum(), addresses.estimatedSize());
    }

    public ThrottleSettings settings() {
        return settings;
    }

    @Override
    public String name() {
        return "throttle(" + delegate.name() + ")";
    }

    @Override
    public void forget(String user) {
        delegate.forget(user);
    }

    @Override
    public void forgetAll() {
        delegate.forgetAll();
    }

    @Override
    public void close() {
        delegate.close();
    }

    /** An address's failure count and when the last one was answered (ticker nanoseconds). */
    private record Failures(int count, long lastAnsweredAt) {
    }
}
