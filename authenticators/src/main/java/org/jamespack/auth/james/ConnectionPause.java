package org.jamespack.auth.james;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import org.apache.james.protocols.api.ProtocolSession;
import org.apache.james.protocols.api.ProtocolSessionImpl;
import org.apache.james.protocols.api.ProtocolTransport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import net.jcip.annotations.ThreadSafe;

/**
 * Thread-safe: pays a failure delay by not reading from the client's connection, instead of
 * sleeping on James' protocol I/O thread (which serves many other connections).
 *
 * <p>James 3.8.1's {@link ProtocolTransport#setReadable} toggles the Netty channel's autoRead,
 * which is safe from any thread. The failure answer is written at once; the client's next
 * command is read only when the delay ends, so one connection gets at most one answer per delay.
 * Re-enabling runs on one daemon thread shared by every pause: each task only flips a flag.
 *
 * <p>Commands the client pipelined before the failure answer are already read when the pause
 * starts, and Netty decodes them anyway; {@link #paused} tells the hook so, and it refuses
 * them unchecked, else a pipelined batch of guesses would escape the delay. A pause ending
 * early because of an earlier one cannot happen: each connection keeps its latest end.
 */
@ThreadSafe
final class ConnectionPause {

    private static final Logger LOGGER = LoggerFactory.getLogger(ConnectionPause.class);

    private static final ScheduledExecutorService RESUMER = resumer();

    /** Each paused connection's end of pause (System.nanoTime); removed when reading resumes. */
    private static final ConcurrentMap<ProtocolTransport, Long> PAUSED_UNTIL = new ConcurrentHashMap<>();

    private ConnectionPause() {
    }

    /**
     * Stops reading from {@code session}'s client for {@code delay}; false (nothing done) when the
     * session is not one of James' protocol sessions, so the caller must find another way.
     */
    static boolean pause(ProtocolSession session, Duration delay) {
        if (delay.isZero() || delay.isNegative()) {
            return true;
        }
        if (!(session instanceof ProtocolSessionImpl impl)) {
            return false;
        }
        ProtocolTransport transport = impl.getProtocolTransport();
        long until = System.nanoTime() + delay.toNanos();
        PAUSED_UNTIL.merge(transport, until, (a, b) -> a - b >= 0 ? a : b);
        transport.setReadable(false);
        RESUMER.schedule(() -> resume(transport), delay.toNanos(), TimeUnit.NANOSECONDS);
        return true;
    }

    /** Whether {@code session}'s connection is inside a failure delay now (what it sends was pipelined). */
    static boolean paused(ProtocolSession session) {
        if (!(session instanceof ProtocolSessionImpl impl)) {
            return false;
        }
        Long until = PAUSED_UNTIL.get(impl.getProtocolTransport());
        return until != null && until - System.nanoTime() > 0;
    }

    private static void resume(ProtocolTransport transport) {
        Long until = PAUSED_UNTIL.get(transport);
        if (until == null || until - System.nanoTime() > 0 || !PAUSED_UNTIL.remove(transport, until)) {
            // a later pause of the same connection owns the resume
            return;
        }
        try {
            // harmless on a channel closed meanwhile
            transport.setReadable(true);
        } catch (RuntimeException e) {
            LOGGER.warn("authpack: could not resume reading from a client after its failure delay", e);
        }
    }

    private static ScheduledExecutorService resumer() {
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "authpack-failure-delay");
            t.setDaemon(true);
            return t;
        });
        executor.setRemoveOnCancelPolicy(true);
        return executor;
    }
}
