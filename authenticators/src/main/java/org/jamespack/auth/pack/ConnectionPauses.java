package org.jamespack.auth.pack;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import net.jcip.annotations.ThreadSafe;

/**
 * The connections that pay a failure delay by not being read, instead of a thread sleeping on
 * the server's protocol I/O thread (which serves many other connections): each paused
 * connection's end of pause, and the one daemon thread that lets them be read again. Owned by
 * the {@link AuthPack} that judges the logins: made with it, closed with it.
 *
 * <p>Thread-safe. A connection is known by its identity (the server's transport object); its
 * {@link ReadSwitch} must be safe to flip from any thread. Commands the client pipelined before the failure answer are already read when the
 * pause starts; {@link #paused} tells the adapter so, and it refuses them unchecked, else a
 * pipelined batch of guesses would escape the delay. A pause cannot end early because of an
 * earlier one: each connection keeps its latest end.
 *
 * <p>The resuming thread is started by the first pause, not before, and ends on {@link #close};
 * a connection paused then is made readable again at once, so that none is left unread.
 */
@ThreadSafe
public final class ConnectionPauses implements AutoCloseable {

    /** Stops or resumes reading from one client connection. */
    @FunctionalInterface
    public interface ReadSwitch {
        void setReadable(boolean readable);
    }

    /** A paused connection's end of pause (System.nanoTime) and its switch. */
    private record Pause(long until, ReadSwitch readSwitch) {
        Pause later(Pause other) {
            return until - other.until >= 0 ? this : other;
        }
    }

    private static final Logger LOGGER = LoggerFactory.getLogger(ConnectionPauses.class);

    /** Each paused connection's latest pause, by the connection's identity; removed when reading resumes. */
    private final ConcurrentMap<Object, Pause> paused = new ConcurrentHashMap<>();
    private final ScheduledThreadPoolExecutor resumer;

    ConnectionPauses() {
        // a core thread is made on the first schedule: a pack that never pauses has no thread
        this.resumer = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "authpack-failure-delay");
            t.setDaemon(true);
            return t;
        });
        resumer.setRemoveOnCancelPolicy(true);
    }

    /**
     * Stops reading from {@code connection} for {@code delay} through {@code readSwitch}; nothing
     * when the delay is not positive.
     */
    public void pause(Object connection, ReadSwitch readSwitch, Duration delay) {
        Objects.requireNonNull(connection, "connection");
        Objects.requireNonNull(readSwitch, "readSwitch");
        if (delay.isZero() || delay.isNegative()) {
            return;
        }
        paused.merge(connection, new Pause(System.nanoTime() + delay.toNanos(), readSwitch), Pause::later);
        readSwitch.setReadable(false);
        try {
            resumer.schedule(() -> resume(connection, false), delay.toNanos(), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            // closed meanwhile: nobody would resume it later
            resume(connection, true);
        }
    }

    /** Whether {@code connection} is inside a failure delay now (what it sends was pipelined). */
    public boolean paused(Object connection) {
        Pause p = paused.get(connection);
        return p != null && p.until() - System.nanoTime() > 0;
    }

    private void resume(Object connection, boolean now) {
        Pause p = paused.get(connection);
        if (p == null || !now && p.until() - System.nanoTime() > 0 || !paused.remove(connection, p)) {
            // a later pause of the same connection owns the resume
            return;
        }
        try {
            // harmless on a channel closed meanwhile
            p.readSwitch().setReadable(true);
        } catch (RuntimeException e) {
            LOGGER.warn("authpack: could not resume reading from a client after its failure delay", e);
        }
    }

    /** Ends the resuming thread and makes every paused connection readable again. */
    @Override
    public void close() {
        resumer.shutdownNow();
        for (Object connection : paused.keySet()) {
            resume(connection, true);
        }
    }
}
