package org.jamespack.it.james;

import java.time.Duration;

/**
 * Retries a check until it passes or a deadline: for recovery after an outage, where the first
 * login after a backend comes back may still meet a connection that broke while it was away.
 *
 * <p>Stateless and thread-safe.
 */
public final class Eventually {

    /** A check that may throw (an assertion error until it passes). */
    @FunctionalInterface
    public interface Check {
        void run() throws Exception;
    }

    private Eventually() {
    }

    public static void within(Duration deadline, Check check) throws Exception {
        long end = System.nanoTime() + deadline.toNanos();
        while (true) {
            try {
                check.run();
                return;
            } catch (AssertionError | Exception e) {
                if (System.nanoTime() > end) {
                    throw e;
                }
                Thread.sleep(200);
            }
        }
    }
}
