package org.jamespack.relay.delivery;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;

import org.jamespack.relay.route.SendingLimits;
import org.jamespack.relay.smtp.RelayConnection;

import net.jcip.annotations.GuardedBy;
import net.jcip.annotations.ThreadSafe;

/**
 * Per-mailbox state shared by the delivery threads: sending limits (messages per rolling minute,
 * recipients per rolling day, connections at once), back-off after 4xx replies, idle
 * connections kept for the next message, health, and the route-wide pause. Thread-safe (one monitor).
 *
 * <p>The pause: once the route's credential is broken or its smarthost refuses AUTH for a reason a
 * new token does not cure, another connection per queued message would only repeat the refusal
 * (and count against the mailbox at the provider). So the route {@linkplain #pause pauses}: until
 * the next probe is due, {@link #enter} tells every message to wait, without a token or a
 * connection; when it is due, one message is let through as the probe while the others wait a
 * little ({@link #PROBE_WAIT}) for its outcome. A probe that gets through {@linkplain #resume
 * resumes} the route, and the waiting messages go out as they come back; one that is refused
 * pauses the route for another interval.
 *
 * <p>Written by hand: the limits are a few sliding windows and a counter, and they must use the
 * relay's clock (tests) and survive without a scheduler; a rate-limiting library would add a
 * dependency for less.
 */
@ThreadSafe
public final class RouteGate {

    static final Duration MINUTE = Duration.ofMinutes(1);
    static final Duration DAY = Duration.ofDays(1);
    /** How long messages wait while a probe is under way (at most the probe interval): its outcome comes soon. */
    static final Duration PROBE_WAIT = Duration.ofSeconds(10);

    /** What {@link #enter} tells a message of the route. */
    public sealed interface Entry permits Entry.Open, Entry.Probe, Entry.Wait {

        /** The route is not paused: deliver as usual. */
        record Open() implements Entry {
        }

        /**
         * The route is paused and this message is its probe: deliver it, then report with {@link #resume},
         * {@link #pause} or at least {@link #endProbe}.
         *
         * @param refreshFirst the pause came from a refused AUTH: get a fresh token before the one AUTH attempt
         */
        record Probe(boolean refreshFirst) implements Entry {
        }

        /**
         * The route is paused: wait {@code delay} without a token or connection.
         *
         * @param since  when the route was paused
         * @param reason why (a failure detail, no secret)
         */
        record Wait(Duration delay, Instant since, String reason) implements Entry {
        }
    }

    /** A paused route: why, since when, when the next probe is due, whether one runs. */
    private record Pause(String reason, Instant since, Instant nextProbe, boolean probing, boolean refreshFirst) {
    }

    private final String account;
    private final SendingLimits limits;
    private final Duration backOffBase;
    private final Duration backOffMax;
    private final Duration probeInterval;

    @GuardedBy("this") private final Deque<Instant> messages = new ArrayDeque<>();
    @GuardedBy("this") private final Deque<long[]> recipients = new ArrayDeque<>();
    @GuardedBy("this") private long recipientsToday;
    @GuardedBy("this") private final Deque<RelayConnection> idle = new ArrayDeque<>();
    @GuardedBy("this") private int open;
    @GuardedBy("this") private Instant pausedUntil = Instant.MIN;
    @GuardedBy("this") private int backOffLevel;
    @GuardedBy("this") private Optional<String> unhealthy = Optional.empty();
    @GuardedBy("this") private Optional<Pause> pause = Optional.empty();

    /**
     * @param probeInterval how long a paused route waits between probes (positive)
     */
    public RouteGate(String account, SendingLimits limits, Duration backOffBase, Duration backOffMax, Duration probeInterval) {
        this.account = account;
        this.limits = limits;
        this.backOffBase = backOffBase;
        this.backOffMax = backOffMax;
        this.probeInterval = probeInterval;
    }

    public RouteGate(String account, SendingLimits limits, Duration backOffBase, Duration backOffMax) {
        this(account, limits, backOffBase, backOffMax, Duration.ofMinutes(5));
    }

    /** Whether a message may go on now, must wait for the paused route, or is the paused route's probe. */
    public synchronized Entry enter(Instant now) {
        if (pause.isEmpty()) {
            return new Entry.Open();
        }
        Pause p = pause.get();
        if (p.probing()) {
            Duration wait = PROBE_WAIT.compareTo(probeInterval) < 0 ? PROBE_WAIT : probeInterval;
            return new Entry.Wait(wait, p.since(), p.reason());
        }
        if (now.isBefore(p.nextProbe())) {
            return new Entry.Wait(Duration.between(now, p.nextProbe()), p.since(), p.reason());
        }
        // the next probe after this one is an interval away whatever this one comes to
        pause = Optional.of(new Pause(p.reason(), p.since(), now.plus(probeInterval), true, p.refreshFirst()));
        return new Entry.Probe(p.refreshFirst());
    }

    /**
     * Pauses the whole route (or keeps it paused) for {@code reason}: the next probe in one interval.
     *
     * @param refreshFirst the smarthost refused AUTH: probes get a fresh token first
     */
    public synchronized void pause(String reason, Instant now, boolean refreshFirst) {
        Instant since = pause.map(Pause::since).orElse(now);
        pause = Optional.of(new Pause(reason, since, now.plus(probeInterval), false, refreshFirst));
        unhealthy = Optional.of(reason);
    }

    /** A probe (or any delivery) got through the credential: the route is open again. */
    public synchronized void resume() {
        pause = Optional.empty();
    }

    /** The probe is over without a verdict on the credential (a network failure, a limit): the route stays paused. */
    public synchronized void endProbe() {
        pause.filter(Pause::probing).ifPresent(p ->
            pause = Optional.of(new Pause(p.reason(), p.since(), p.nextProbe(), false, p.refreshFirst())));
    }

    /** When the route was paused, if it is. */
    public synchronized Optional<Instant> pausedSince() {
        return pause.map(Pause::since);
    }

    /** When the paused route's next probe is due, if it is paused. */
    public synchronized Optional<Instant> nextProbe() {
        return pause.map(Pause::nextProbe);
    }

    public String account() {
        return account;
    }

    public SendingLimits limits() {
        return limits;
    }

    /**
     * Reserves one message for {@code count} recipients if the limits and back-off allow it now;
     * otherwise returns how long to wait. A reservation counts even if the send then fails: the
     * provider counts attempts too.
     */
    public synchronized Optional<Duration> admit(int count, Instant now) {
        if (now.isBefore(pausedUntil)) {
            return Optional.of(Duration.between(now, pausedUntil));
        }
        prune(now);
        if (limits.messagesPerMinute() > 0 && messages.size() >= limits.messagesPerMinute()) {
            return Optional.of(Duration.between(now, messages.peekFirst().plus(MINUTE)).plusMillis(1));
        }
        if (limits.recipientsPerDay() > 0 && recipientsToday + count > limits.recipientsPerDay() && !recipients.isEmpty()) {
            // wait until enough old recipients leave the window
            long need = recipientsToday + count - limits.recipientsPerDay();
            long freed = 0;
            for (long[] r : recipients) {
                freed += r[1];
                if (freed >= need) {
                    return Optional.of(Duration.between(now, Instant.ofEpochMilli(r[0]).plus(DAY)).plusMillis(1));
                }
            }
            return Optional.of(DAY);
        }
        messages.addLast(now);
        recipients.addLast(new long[] {now.toEpochMilli(), count});
        recipientsToday += count;
        return Optional.empty();
    }

    @GuardedBy("this")
    private void prune(Instant now) {
        while (!messages.isEmpty() && !messages.peekFirst().plus(MINUTE).isAfter(now)) {
            messages.removeFirst();
        }
        while (!recipients.isEmpty() && !Instant.ofEpochMilli(recipients.peekFirst()[0]).plus(DAY).isAfter(now)) {
            recipientsToday -= recipients.removeFirst()[1];
        }
    }

    /** Pauses the route after a 4xx: base × 2^n up to the maximum; returns the pause. */
    public synchronized Duration backOff(Instant now) {
        long factor = 1L << Math.min(backOffLevel, 20);
        Duration pause = backOffBase.multipliedBy(factor);
        if (pause.compareTo(backOffMax) > 0) {
            pause = backOffMax;
        }
        backOffLevel++;
        pausedUntil = now.plus(pause);
        return pause;
    }

    /**
     * Pauses the route for as long as the provider asked ({@code Retry-After} of a throttled Graph request), or longer
     * if it is already paused longer; does not raise the back-off level, since the provider named the wait.
     */
    public synchronized void pauseFor(Duration wait, Instant now) {
        Instant until = now.plus(wait);
        if (until.isAfter(pausedUntil)) {
            pausedUntil = until;
        }
    }

    /** A message went through: the back-off starts from the base again and the route is healthy and not paused. */
    public synchronized void succeeded() {
        backOffLevel = 0;
        unhealthy = Optional.empty();
        pause = Optional.empty();
    }

    /** Marks the route's credential or policy as broken (for health checks and logs). */
    public synchronized void markUnhealthy(String why) {
        unhealthy = Optional.of(why);
    }

    /**
     * Forgets a credential or policy refusal without a delivery (an operator fixed the account and
     * said so through WebAdmin), and ends a pause; limits and back-off stay as they are.
     */
    public synchronized void forgetRefusal() {
        unhealthy = Optional.empty();
        // the operator says the account works again: the route resumes (a first refusal would pause it again)
        pause = Optional.empty();
    }

    /** Why the route is unhealthy, if it is. */
    public synchronized Optional<String> unhealthy() {
        return unhealthy;
    }

    /** An idle connection still younger than {@code idleTimeout}, else empty (stale ones are closed). */
    public Optional<RelayConnection> takeIdle(Instant now, Duration idleTimeout) {
        while (true) {
            RelayConnection c;
            synchronized (this) {
                c = idle.pollFirst();
            }
            if (c == null) {
                return Optional.empty();
            }
            if (Duration.between(c.lastUsed(), now).compareTo(idleTimeout) < 0 && c.isUsable()) {
                return Optional.of(c);
            }
            release(c, false);
        }
    }

    /** Whether another connection may be opened now; pair with {@link #release}. */
    public synchronized boolean tryOpen() {
        if (open >= limits.maxConnections()) {
            return false;
        }
        open++;
        return true;
    }

    /** Gives a connection back: kept for the next message if {@code keep}, else closed. */
    public void release(RelayConnection c, boolean keep) {
        if (keep) {
            synchronized (this) {
                idle.addFirst(c);
                notifyAll();
            }
            return;
        }
        c.close();
        synchronized (this) {
            open--;
            notifyAll();
        }
    }

    /**
     * Frees a slot taken with {@link #tryOpen} that never became a kept connection: a connection that could not be used,
     * or a Graph request (a Graph route's {@code connections} bound the requests in flight) that has its answer.
     */
    public synchronized void freeSlot() {
        openFailed();
    }

    /** An opened connection could not be used at all: frees its slot. */
    public synchronized void openFailed() {
        open--;
        notifyAll();
    }

    /** Waits up to {@code millis} for a connection to come back or a slot to free (then try again). */
    public synchronized void awaitSlot(long millis) throws InterruptedException {
        if (open >= limits.maxConnections() && idle.isEmpty()) {
            wait(millis);
        }
    }

    /**
     * Closes the idle connections that waited {@code idleTimeout} or longer (each with its QUIT), off the path of any
     * message: a smarthost is told the session is over instead of timing it out, and the next message after a quiet
     * spell does not first close the connection left over from the last one.
     *
     * @return how many were closed
     */
    public int closeIdleOlderThan(Instant now, Duration idleTimeout) {
        List<RelayConnection> expired = new ArrayList<>();
        synchronized (this) {
            for (Iterator<RelayConnection> it = idle.iterator(); it.hasNext(); ) {
                RelayConnection c = it.next();
                if (Duration.between(c.lastUsed(), now).compareTo(idleTimeout) >= 0) {
                    it.remove();
                    expired.add(c);
                }
            }
        }
        expired.forEach(c -> release(c, false));
        return expired.size();
    }

    /** Closes every idle connection. */
    public void closeIdle() {
        while (true) {
            RelayConnection c;
            synchronized (this) {
                c = idle.pollFirst();
            }
            if (c == null) {
                return;
            }
            release(c, false);
        }
    }

    synchronized int idleCount() {
        int n = 0;
        for (Iterator<RelayConnection> it = idle.iterator(); it.hasNext(); it.next()) {
            n++;
        }
        return n;
    }
}
