package org.jamespack.auth.throttle;

import java.net.InetAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

import org.jamespack.auth.CredentialVerifier;
import org.jamespack.auth.InputGuard;
import org.jamespack.auth.LogSafe;
import org.jamespack.auth.LoginAttempt;
import org.jamespack.auth.Verdict;
import org.jamespack.foundation.config.ConfigNode;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;

import net.jcip.annotations.ThreadSafe;

/**
 * Thread-safe: slows failed logins down and stops password guessing from one client address
 * before it reaches the backend (where it would count towards the real user's lockout),
 * without locking out the other users behind that address (NAT, carrier NAT, a webmail front
 * end).
 *
 * <p>Three mechanisms, the first two after Dovecot's {@code auth_failure_delay} and its anvil
 * penalty:
 * <ul>
 * <li><b>Failure delay.</b> A REJECTED or DISABLED answer is given only after
 *     {@code failureDelay} (default 2 s). DISABLED is delayed too, so that timing does not tell
 *     a right password on a disabled account from a wrong one. ACCEPTED and UNAVAILABLE are
 *     never delayed.</li>
 * <li><b>Penalty per (address, login).</b> Failures are counted per client address (IPv4 /32,
 *     IPv6 /64, see {@link ClientPrefix}) <em>and</em> login (ignoring case). From the
 *     {@code penaltyAfter}-th failure on, that pair must keep quiet for {@code penaltyInitial},
 *     doubled at each further failure up to {@code penaltyMax}, counted from when the failure
 *     was answered. An attempt inside that window is answered REJECTED (after the failure
 *     delay) <em>without asking the backend</em>, even if its password is right: it is counted
 *     as throttled, not as a failure, so the window is not stretched by the attempts it
 *     refuses. A pair's count is forgotten {@code forgetAfter} after its last failure, and reset
 *     by an ACCEPTED login of that pair. Keying on the pair, not on the address alone, means a
 *     refusal without a check tells a guesser nothing about the account it targets (it is
 *     refused whatever the password), and another user's right password from the same address
 *     is still checked and ACCEPTED.</li>
 * <li><b>Check budget per address</b> ({@link ThrottleSettings.AddressBudget}). Across all the
 *     logins one address tries, at most {@code checksInFlight} backend checks run at once, and a
 *     check takes a token from a bucket of {@code checkBurst} refilled at
 *     {@code checksPerSecond}, given back when the answer is ACCEPTED or UNAVAILABLE: password
 *     spraying (one guess at each of many logins, which the per-pair penalty cannot see) gets at
 *     most that rate of failed checks, while the right passwords of the users behind the address
 *     do not use it up. An attempt that finds no slot waits, first come first served, up to
 *     {@code checkWait} where its caller may block ({@link #verify}); where it must not
 *     ({@link #judge}: Netty I/O threads) it does not wait. Either way, without a slot it is
 *     answered UNAVAILABLE ({@link Verdict.Reason#BUSY}, detail {@code throttled: …}): a
 *     temporary failure (SMTP 454, IMAP {@code NO … processing failed}), which clients retry
 *     and never take for a wrong password.</li>
 * <li><b>Known logins pass the budget.</b> A login ACCEPTED from an address prefix within
 *     {@code forgetAfter} (and not refused since) is checked without waiting for the address's
 *     budget: a sprayer cannot make its logins known without their passwords, so the users who
 *     log in from behind a spraying NAT or webmail front end every few minutes keep logging in
 *     at once, SMTP included. The pair's own penalty still applies, and a failure makes the
 *     login unknown again.</li>
 * </ul>
 *
 * <p><b>Reserved before asked.</b> Both the pair's attempt and the address's slot are taken
 * atomically <em>before</em> the backend is asked: were a failure only recorded afterwards, many
 * concurrent wrong guesses from one address would all reach the backend. A pair may
 * have at most as many checks in flight as it has failures left before its penalty
 * ({@code penaltyAfter − failures}, at least one); further attempts of that pair wait for
 * those answers, and are then checked (the earlier ones were right) or refused (they were
 * wrong and the penalty began).
 *
 * <p>Failures by every throttled protocol count together (an attacker switching from IMAP to
 * POP3 keeps its count); the protocol of the attempt at hand decides the delay and the penalty
 * curve. A protocol with {@code enabled=false} is passed straight through: neither delayed,
 * nor counted, nor refused, nor budgeted.
 *
 * <p>Trade-offs. An attacker gets {@code penaltyAfter − 1} guesses per login form that reaches
 * the same account ({@code alice}, {@code alice@example.org}) before each penalty, and all of
 * them come out of the address's budget. The real user behind a guesser's address may wait up
 * to {@code checkWait} for a slot, or get a temporary failure, while that address sprays; an
 * operator who fronts many users with one address (webmail) raises {@code checksInFlight}
 * and {@code checksPerSecond}. When {@link LoginAttempt#client()} is empty (the caller could not
 * tell the address) there is neither penalty nor budget, only the failure delay: one shared
 * "unknown" bucket would let one attacker lock out every such caller.
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
 * {@code maxConcurrentDelays} threads sleep out a delay or wait for a slot at once (further
 * failures are answered at once, still counted and penalised; further waiters get the
 * temporary failure). Interrupting a sleeping or waiting thread ends it early and keeps the
 * interrupt flag.
 *
 * <p>Memory: at most {@code maxAddresses} addresses and as many (address, login) pairs, each a
 * few dozen bytes; the least useful are evicted first (a penalty lost to eviction only ends
 * early; an address evicted while it has checks in flight starts a fresh budget, which only
 * happens with more than {@code maxAddresses} addresses active at once).
 *
 * <p>Input is checked once, before the throttle, at the pack's entrance ({@link InputGuard}):
 * {@link #admit} takes its refusal, so that a refused guess pays like a wrong one without
 * reaching the backend; {@link #verify} and {@link #judge} take attempts that passed it.
 *
 * <p>Logs name the address, login (escaped, {@link LogSafe}), protocol and verdict; never the
 * password.
 */
@ThreadSafe
public final class ThrottlingVerifier implements CredentialVerifier {

    private static final Logger LOG = LoggerFactory.getLogger(ThrottlingVerifier.class);
    /** The pair key of over-long logins: no real login holds a NUL. */
    private static final String MALFORMED = "\0malformed";

    /** How a delay is waited out; tests record it instead of sleeping. */
    @FunctionalInterface
    interface Sleeper {
        void sleep(Duration d) throws InterruptedException;
    }

    private final ThrottleSettings settings;
    private final CredentialVerifier delegate;
    private final Ticker ticker;
    private final Sleeper sleeper;
    /** Threads sleeping out a failure delay or waiting for a check slot. */
    private final Semaphore sleepers;
    private final Cache<ClientPrefix, AddressGate> gates;
    private final PenaltyBook book;
    private final LongAdder failures = new LongAdder();
    private final LongAdder throttled = new LongAdder();
    private final LongAdder delayed = new LongAdder();
    private final LongAdder delaysSkipped = new LongAdder();
    private final LongAdder waited = new LongAdder();
    private final LongAdder busy = new LongAdder();

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
        this.gates = Caffeine.newBuilder()
            .maximumSize(settings.maxAddresses())
            .expireAfterAccess(settings.forgetAfter())
            .ticker(ticker)
            .executor(Runnable::run)
            .build();
        this.book = new PenaltyBook(settings, ticker);
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
     * {@code maxConcurrentDelays}), waiting up to {@code checkWait} for a check slot of the
     * client's address: for callers that cannot hold back the client's connection.
     * Callers that can (James' SMTP hook) use {@link #judge} instead.
     */
    @Override
    public Verdict verify(LoginAttempt attempt) {
        return decide(attempt, Optional.empty(), false).verdict();
    }

    /**
     * Answers at once and says how long the caller must hold back the client's connection (not
     * read its next command); never sleeps and never waits for a check slot (it may block for
     * the backend's own answer, as any verifier does). The failure is counted as answered when
     * that delay ends, so the penalty window is the same as with {@link #verify}.
     */
    public Judgement judge(LoginAttempt attempt) {
        return decide(attempt, Optional.empty(), true);
    }

    /**
     * The pack's entrance: {@code refusal} is what its input check ({@link InputGuard}) said of
     * the attempt. A refused attempt asks no one behind the throttle, but is answered as a
     * failure: delayed, counted towards its pair's penalty, refused unseen inside a penalty
     * window; it takes no check slot of its address. {@code callerDelays}: as {@link #judge}
     * (the caller holds the connection back for the returned delay) when true, as
     * {@link #verify} (the delay is slept out here) when false.
     */
    public Judgement admit(LoginAttempt attempt, Optional<Verdict> refusal, boolean callerDelays) {
        return decide(attempt, refusal, callerDelays);
    }

    /**
     * Sleeps out {@code owed} on the calling thread, bounded like {@link #verify}'s delay: for a
     * caller of {@link #judge} that finds it cannot hold back the connection after all.
     */
    public void waitOut(Duration owed) {
        sleep(owed);
    }

    private Judgement decide(LoginAttempt attempt, Optional<Verdict> refused, boolean callerDelays) {
        ThrottleSettings.PerProtocol rules = settings.forProtocol(attempt.protocol());
        if (!rules.enabled()) {
            return Judgement.undelayed(refused.isPresent() ? refused.get() : delegate.verify(attempt));
        }
        Optional<ClientPrefix> client = attempt.client().map(ClientPrefix::of);
        if (client.isEmpty()) {
            return answered(refused.isPresent() ? refused.get() : delegate.verify(attempt), rules, callerDelays, null);
        }
        // an over-long login shares one key per address, so refused input cannot fill the memory with pairs
        String key = attempt.login().length() > InputGuard.MAX_LOGIN_LENGTH ? MALFORMED : attempt.login();
        PenaltyBook.Pair pair = PenaltyBook.Pair.of(client.get(), key);
        AddressGate gate = gates.get(pair.client(), k -> new AddressGate(ticker.read()));
        boolean needsCheck = refused.isEmpty();
        Reservation r = reserve(gate, pair, rules, needsCheck, !callerDelays);
        switch (r) {
            case THROTTLED:
                throttled.increment();
                LOG.info("login throttled: client={} login={} protocol={} failures={}", pair.client(), LogSafe.of(attempt.login()),
                    attempt.protocol(), book.failuresOf(pair));
                return failure(Verdict.rejected(Verdict.Reason.INVALID_CREDENTIALS, "throttled"), rules, callerDelays);
            case BUSY:
                busy.increment();
                // the audit line says it too; a sprayer makes many of these
                LOG.debug("login not checked, no check slot free for its address: client={} login={} protocol={}", pair.client(),
                    LogSafe.lazy(attempt.login()), attempt.protocol());
                Verdict busyVerdict = Verdict.unavailable(Verdict.Reason.BUSY,
                    "throttled: too many checks from this address, try again later");
                // a caller that did not wait holds the connection back, or a sprayer would ask again at once
                return callerDelays ? new Judgement(busyVerdict, rules.failureDelay()) : Judgement.undelayed(busyVerdict);
            case GO:
            case GO_KNOWN:
            default:
                break;
        }
        boolean tokenTaken = r == Reservation.GO;
        @Nullable Verdict verdict = null;
        try {
            verdict = needsCheck ? delegate.verify(attempt) : refused.get();
        } finally {
            if (needsCheck) {
                // a verifier that throws (a bug) must not keep the slot: treated as UNAVAILABLE here
                checked(gate, verdict == null ? Verdict.State.UNAVAILABLE : verdict.state(), tokenTaken);
            }
            if (verdict == null) {
                settle(gate, pair, Verdict.State.UNAVAILABLE, 0);
            }
        }
        return answered(verdict, rules, callerDelays, new Slot(gate, pair));
    }

    /** The answer to a checked attempt: ACCEPTED and UNAVAILABLE at once, failures delayed and counted. */
    private Judgement answered(Verdict verdict, ThrottleSettings.PerProtocol rules, boolean callerDelays, @Nullable Slot slot) {
        switch (verdict.state()) {
            case ACCEPTED:
            case UNAVAILABLE:
                if (slot != null) {
                    settle(slot.gate, slot.pair, verdict.state(), 0);
                }
                return Judgement.undelayed(verdict);
            case REJECTED:
            case DISABLED:
                failures.increment();
                Duration d = rules.failureDelay();
                if (!callerDelays) {
                    try {
                        sleep(d);
                    } finally {
                        if (slot != null) {
                            settle(slot.gate, slot.pair, verdict.state(), 0);
                        }
                    }
                    return Judgement.undelayed(verdict);
                }
                if (!d.isZero()) {
                    delayed.increment();
                }
                // the client may speak again only when the delay ends: count the penalty from there
                if (slot != null) {
                    settle(slot.gate, slot.pair, verdict.state(), d.toNanos());
                }
                return new Judgement(verdict, d);
            default:
                throw new IllegalStateException("unknown verdict state " + verdict.state());
        }
    }

    /** A throttled answer: delayed like a failure, but neither counted nor checked. */
    private Judgement failure(Verdict verdict, ThrottleSettings.PerProtocol rules, boolean callerDelays) {
        Duration d = rules.failureDelay();
        if (!callerDelays) {
            sleep(d);
            return Judgement.undelayed(verdict);
        }
        if (!d.isZero()) {
            delayed.increment();
        }
        return new Judgement(verdict, d);
    }

    /** GO: a slot and a token taken; GO_KNOWN: a known login's check, beside the budget; or why not. */
    private enum Reservation { GO, GO_KNOWN, THROTTLED, BUSY }

    /**
     * Takes, atomically under the address's lock, one attempt of {@code pair} and (when the
     * backend is to be asked) one check slot of the address; or says why not. Waits, first come
     * first served, when {@code mayWait} and a slot may come within {@code checkWait}.
     */
    private Reservation reserve(AddressGate gate, PenaltyBook.Pair pair, ThrottleSettings.PerProtocol rules, boolean needsCheck, boolean mayWait) {
        ThrottleSettings.AddressBudget budget = settings.budget();
        long deadline = ticker.read() + budget.checkWait().toNanos();
        Object ticket = null;
        boolean holdsWaiter = false;
        synchronized (gate) {
            try {
                while (true) {
                    long now = ticker.read();
                    if (book.inPenalty(pair, now, rules)) {
                        return Reservation.THROTTLED;
                    }
                    if (!needsCheck) {
                        // refused by the input check: no backend call to bound, only the failure to count
                        book.reserve(pair);
                        return Reservation.GO;
                    }
                    boolean pairFree = book.mayCheck(pair, rules);
                    if (pairFree && book.isKnown(pair)) {
                        // right lately from here: a sprayer's logins cannot be known, so the budget does not hold it back
                        gate.inFlight++;
                        book.reserve(pair);
                        return Reservation.GO_KNOWN;
                    }
                    if (pairFree) {
                        if (ticket == null && mayWait) {
                            ticket = new Object();
                            gate.queue.addLast(ticket);
                        }
                        // a caller that may not wait takes a slot only when nobody waits for one
                        boolean first = ticket == null ? gate.queue.isEmpty() : gate.queue.peekFirst() == ticket;
                        gate.refill(now, budget);
                        if (first && gate.inFlight < budget.checksInFlight() && gate.tokens >= 1) {
                            gate.inFlight++;
                            gate.tokens -= 1;
                            book.reserve(pair);
                            return Reservation.GO;
                        }
                    } else if (ticket != null) {
                        // waiting for its own pair's answers: let the addresses' other logins go first
                        gate.queue.remove(ticket);
                        ticket = null;
                        gate.notifyAll();
                    }
                    long remaining = deadline - now;
                    if (!mayWait || remaining <= 0) {
                        return Reservation.BUSY;
                    }
                    if (!holdsWaiter) {
                        if (!sleepers.tryAcquire()) {
                            return Reservation.BUSY;
                        }
                        holdsWaiter = true;
                        waited.increment();
                    }
                    long wait = remaining;
                    if (pairFree && gate.tokens < 1) {
                        wait = Math.min(wait, gate.nanosToNextToken(budget));
                    }
                    // a slot freed by another check notifies; a token refilled by time does not, hence the bound
                    TimeUnit.NANOSECONDS.timedWait(gate, Math.max(wait, TimeUnit.MILLISECONDS.toNanos(1)));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Reservation.BUSY;
            } finally {
                if (ticket != null) {
                    gate.queue.remove(ticket);
                    gate.notifyAll();
                }
                if (holdsWaiter) {
                    sleepers.release();
                }
            }
        }
    }

    /** The backend answered: the address's slot is free again, and its token (if it took one) given back unless the check failed. */
    private void checked(AddressGate gate, Verdict.State state, boolean tokenTaken) {
        synchronized (gate) {
            gate.inFlight = Math.max(0, gate.inFlight - 1);
            if (tokenTaken && (state == Verdict.State.ACCEPTED || state == Verdict.State.UNAVAILABLE)) {
                gate.refund(settings.budget());
            }
            gate.notifyAll();
        }
    }

    /** The pair's attempt is answered: counted as a failure answered {@code answeredInNanos} from now, or its count reset. */
    private void settle(AddressGate gate, PenaltyBook.Pair pair, Verdict.State state, long answeredInNanos) {
        synchronized (gate) {
            book.settle(pair, state, ticker.read() + answeredInNanos);
            gate.notifyAll();
        }
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

    /**
     * The failures counted for {@code login} (ignoring case) from {@code client}'s prefix (0 when
     * none or forgotten); for tests and admin routes.
     */
    public int failuresOf(InetAddress client, String login) {
        return book.failuresOf(PenaltyBook.Pair.of(ClientPrefix.of(client), login));
    }

    /** Forgets every failure (an operator lifting all penalties); budgets in use and known logins are kept. */
    public void forgiveAll() {
        book.forgiveAll();
    }

    /** The counters since this throttle was built. */
    public ThrottleStats stats() {
        return new ThrottleStats(failures.sum(), throttled.sum(), delayed.sum(), delaysSkipped.sum(), gates.estimatedSize(),
            book.pairCount(), waited.sum(), busy.sum());
    }

    public ThrottleSettings settings() {
        return settings;
    }

    @Override
    public String name() {
        return "throttle(" + delegate.name() + ")";
    }

    /** The user's credentials changed: its logins are no longer known (they must be right again first). */
    @Override
    public void forget(String user) {
        book.forgetKnown(user);
        delegate.forget(user);
    }

    @Override
    public void forgetAll() {
        book.forgetAllKnown();
        delegate.forgetAll();
    }

    @Override
    public void close() {
        delegate.close();
    }

    /** A checked attempt's address and pair, to settle when it is answered. */
    private record Slot(AddressGate gate, PenaltyBook.Pair pair) {
    }
}
