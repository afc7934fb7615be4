package org.jamespack.relay.testing;

import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;

/**
 * Where an {@link SmtpFront}'s connections spend their time, as the server sees it: per connection the moment each
 * step arrives, summed over the connections that went through every step, so that a benchmark can say which part of a
 * fresh connection costs what (the client's connect, its EHLO, the TLS handshake, AUTH, the transaction, the close).
 * Thread-safe (sums under the instance's lock).
 */
public final class Timeline {

    /** The steps, in the order a STARTTLS client takes them; ACCEPT and CLOSE are the socket's. */
    public enum Step { ACCEPT, EHLO, STARTTLS, TLS_DONE, EHLO_TLS, AUTH, MAIL, DATA_END, QUIT, CLOSE }

    /** One connection's marks. Used by its serving threads only (a happens-before through the executor). */
    public static final class Marks {
        private final long[] at = new long[Step.values().length];

        public void mark(Step step) {
            if (at[step.ordinal()] == 0) {
                at[step.ordinal()] = System.nanoTime();
            }
        }
    }

    private final long[] sums = new long[Step.values().length];
    private long connectionsTimed;
    private int open;
    private int mostOpen;

    Marks accepted() {
        Marks m = new Marks();
        m.mark(Step.ACCEPT);
        synchronized (this) {
            open++;
            mostOpen = Math.max(mostOpen, open);
        }
        return m;
    }

    void closed(Marks m) {
        m.mark(Step.CLOSE);
        synchronized (this) {
            open--;
            for (long t : m.at) {
                if (t == 0) {
                    return;
                }
            }
            for (int i = 1; i < sums.length; i++) {
                sums[i] += m.at[i] - m.at[i - 1];
            }
            connectionsTimed++;
        }
    }

    /** Forgets what was summed so far (after a warm-up). */
    public synchronized void reset() {
        java.util.Arrays.fill(sums, 0);
        connectionsTimed = 0;
        mostOpen = open;
    }

    /** The most connections open at once since the start or the last {@link #reset}. */
    public synchronized int mostOpen() {
        return mostOpen;
    }

    /** The mean milliseconds from the step before to each step, over connections that went through all of them. */
    public synchronized Map<Step, Double> meanMillis() {
        Map<Step, Double> means = new EnumMap<>(Step.class);
        for (int i = 1; i < sums.length; i++) {
            means.put(Step.values()[i], connectionsTimed == 0 ? Double.NaN : sums[i] / 1e6 / connectionsTimed);
        }
        return means;
    }

    /** One line: each step's mean, and the whole. */
    public String summary() {
        StringBuilder s = new StringBuilder();
        meanMillis().forEach((step, ms) -> s.append(String.format(Locale.ROOT, "%s %.2f  ", step.name().toLowerCase(Locale.ROOT), ms)));
        s.append(String.format(Locale.ROOT, "= %.2f ms", meanMillis().values().stream().mapToDouble(Double::doubleValue).sum()));
        return s.toString();
    }
}
