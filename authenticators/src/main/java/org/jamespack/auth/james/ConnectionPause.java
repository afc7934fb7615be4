package org.jamespack.auth.james;

import java.time.Duration;
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
 */
@ThreadSafe
final class ConnectionPause {

    private static final Logger LOGGER = LoggerFactory.getLogger(ConnectionPause.class);

    private static final ScheduledExecutorService RESUMER = resumer();

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
        transport.setReadable(false);
        RESUMER.schedule(() -> resume(transport), delay.toNanos(), TimeUnit.NANOSECONDS);
        return true;
    }

    private static void resume(ProtocolTransport transport) {
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
