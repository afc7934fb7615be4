package org.jamespack.relay.delivery;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.Optional;

import org.jamespack.relay.route.SendingLimits;
import org.jamespack.relay.smtp.RelayConnection;

import net.jcip.annotations.GuardedBy;
import net.jcip.annotations.ThreadSafe;

/**
 * Per-mailbox state shared by the delivery threads: sending limits (messages per rolling minute,
 * recipients per rolling day, connections at once), back-off after 4xx replies, idle
 * connections kept for the next message, and health. Thread-safe (one monitor).
 *
 * <p>Written by hand: the limits are a few sliding windows and a counter, and they must use the
 * relay's clock (tests) and survive without a scheduler; a rate-limiting library would add a
 * dependency for less.
 */
@ThreadSafe
public final class RouteGate {

    static final Duration MINUTE = Duration.ofMinutes(1);
    static final Duration DAY = Duration.ofDays(1);

    private final String account;
    private final SendingLimits limits;
    private final Duration backOffBase;
    private final Duration backOffMax;

    @GuardedBy("this") private final Deque<Instant> messages = new ArrayDeque<>();
    @GuardedBy("this") private final Deque<long[]> recipients = new ArrayDeque<>();
    @GuardedBy("this") private long recipientsToday;
    @GuardedBy("this") private final Deque<RelayConnection> idle = new ArrayDeque<>();
    @GuardedBy("this") private int open;
    @GuardedBy("this") private Instant pausedUntil = Instant.MIN;
    @GuardedBy("this") private int backOffLevel;
    @GuardedBy("this") private Optional<String> unhealthy = Optional.empty();

    public RouteGate(String account, SendingLimits limits, Duration backOffBase, Duration backOffMax) {
        this.account = account;
        this.limits = limits;
        this.backOffBase = backOffBase;
        this.backOffMax = backOffMax;
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

    /** A message went through: the back-off starts from the base again and the route is healthy. */
    public synchronized void succeeded() {
        backOffLevel = 0;
        unhealthy = Optional.empty();
    }

    /** Marks the route's credential or policy as broken (for health checks and logs). */
    public synchronized void markUnhealthy(String why) {
        unhealthy = Optional.of(why);
    }

    /**
     * Forgets a credential or policy refusal without a delivery (an operator fixed the account and
     * said so through WebAdmin); limits and back-off stay as they are.
     */
    public synchronized void forgetRefusal() {
        unhealthy = Optional.empty();
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
