package org.jamespack.it.bench;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;

import org.jamespack.auth.CredentialVerifier;
import org.jamespack.auth.LoginAttempt;
import org.jamespack.auth.Protocol;
import org.jamespack.foundation.Secret;
import org.jamespack.auth.Verdict;
import org.jamespack.auth.cache.CacheSettings;
import org.jamespack.auth.cache.CachingVerifier;
import org.jamespack.auth.testing.BindCountingDirectory;

/**
 * Cached logins against cold ones, in one run (issue 7's benchmark; a {@code main}, not a test).
 *
 * <p>The backend is a real LDAP server on loopback: UnboundID's in-memory directory, in this
 * JVM, checked by a rebind on a pool of four connections. That is a best case for the cold
 * path (no network, no disk), so the ratios here are a floor; a directory across a network
 * makes cold logins slower and the cache's gain larger. "Cold" is a login through the
 * {@link CachingVerifier} that misses (the cache is emptied before each one, untimed), so it
 * pays the password hash and the directory round trip; "cached" is the same login answered
 * from a fresh entry. Both run on one thread, in interleaved rounds so that a burst of load
 * from other processes hits both alike; logins per second is the median over the rounds,
 * latency percentiles are over all measured logins.
 *
 * <p>Run: {@code mvn -B -q -pl it -am test-compile exec:java
 * -Dexec.mainClass=org.jamespack.it.bench.CacheLoginBenchmark} (optional arguments: users,
 * rounds, cold logins per round; a round has ten times as many cached logins).
 */
public final class CacheLoginBenchmark {

    private CacheLoginBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        quietLogging();
        int users = args.length > 0 ? Integer.parseInt(args[0]) : 200;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 15;
        int coldPerRound = args.length > 2 ? Integer.parseInt(args[2]) : 400;
        int cachedPerRound = coldPerRound * 10;
        try (BindCountingDirectory directory = BindCountingDirectory.start()) {
            for (int i = 0; i < users; i++) {
                directory.addUser("user" + i, "Password-" + i);
            }
            CredentialVerifier backend = directory.verifier();
            LoginAttempt[] attempts = new LoginAttempt[users];
            for (int i = 0; i < users; i++) {
                attempts[i] = LoginAttempt.of("user" + i, Secret.of("Password-" + i), Protocol.IMAP);
            }
            CachingVerifier hmac = new CachingVerifier(CacheSettings.defaults().withMaxEntries(users), backend);
            CachingVerifier pbkdf2 = new CachingVerifier(CacheSettings.defaults().withMaxEntries(users)
                .withPbkdf2(CacheSettings.DEFAULT_HASH_ITERATIONS), backend);

            // warm-up: JIT, pool connections, and both caches filled
            run(hmac, attempts, coldPerRound * 3, true);
            run(hmac, attempts, cachedPerRound * 3, false);
            run(pbkdf2, attempts, cachedPerRound, false);

            Phase cold = new Phase(rounds, coldPerRound);
            Phase cached = new Phase(rounds, cachedPerRound);
            Phase slowCached = new Phase(rounds, coldPerRound);
            long coldBinds = 0;
            long cachedBinds = 0;
            for (int r = 0; r < rounds; r++) {
                long b0 = directory.userBinds();
                cold.record(r, run(hmac, attempts, coldPerRound, true));
                coldBinds += directory.userBinds() - b0;
                for (LoginAttempt a : attempts) { // fill the cache again, untimed
                    hmac.verify(a);
                }
                long b1 = directory.userBinds();
                cached.record(r, run(hmac, attempts, cachedPerRound, false));
                cachedBinds += directory.userBinds() - b1;
                slowCached.record(r, run(pbkdf2, attempts, coldPerRound, false));
            }

            Summary c = cold.summary();
            Summary h = cached.summary();
            Summary p = slowCached.summary();
            System.out.printf(Locale.ROOT, "CacheLoginBenchmark: %d users, %d rounds, %s %s, %d cores, load average %.1f%n",
                users, rounds, System.getProperty("java.vm.name"), Runtime.version(), Runtime.getRuntime().availableProcessors(),
                ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
            print("cold   (miss: HMAC + LDAP bind)", c, coldBinds);
            print("cached (hit, HMAC-SHA256)      ", h, cachedBinds);
            print("cached (hit, PBKDF2 x" + CacheSettings.DEFAULT_HASH_ITERATIONS + ")     ", p, -1);
            if (cachedBinds != 0) {
                throw new IllegalStateException(cachedBinds + " cached logins reached the directory");
            }
            double speedup = h.perSecond / c.perSecond;
            System.out.printf(Locale.ROOT, "  cached/cold logins per second: %.1fx (goal >= 20x: %s); with PBKDF2: %.1fx%n",
                speedup, speedup >= 20 ? "met" : "NOT met", p.perSecond / c.perSecond);
            System.out.printf(Locale.ROOT, "  cold/cached latency: p50 %.1fx, p99 %.1fx%n", c.p50 / h.p50, c.p99 / h.p99);
            System.out.printf(Locale.ROOT, "  cached p99 %.3f ms (goal < 1 ms: %s); with PBKDF2 %.3f ms%n", h.p99 / 1e6,
                h.p99 < Duration.ofMillis(1).toNanos() ? "met" : "NOT met", p.p99 / 1e6);
            hmac.close();
            pbkdf2.close();
        }
    }

    private static void print(String label, Summary s, long binds) {
        System.out.printf(Locale.ROOT, "  %s: %9.0f logins/s  p50 %8.1f µs  p99 %8.1f µs%s%n", label, s.perSecond,
            s.p50 / 1e3, s.p99 / 1e3, binds >= 0 ? "  (directory binds: " + binds + ")" : "");
    }

    /** Logback's default is DEBUG to the console: a line per login would be what is measured. */
    private static void quietLogging() {
        org.slf4j.Logger root = org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        if (root instanceof ch.qos.logback.classic.Logger) {
            ((ch.qos.logback.classic.Logger) root).setLevel(ch.qos.logback.classic.Level.WARN);
        }
    }

    private static long[] run(CachingVerifier cache, LoginAttempt[] attempts, int n, boolean cold) {
        long[] nanos = new long[n];
        for (int i = 0; i < n; i++) {
            LoginAttempt a = attempts[i % attempts.length];
            if (cold) {
                cache.invalidateAll();
            }
            long t0 = System.nanoTime();
            Verdict v = cache.verify(a);
            nanos[i] = System.nanoTime() - t0;
            if (!v.isAccepted()) {
                throw new IllegalStateException("benchmark login refused: " + v);
            }
        }
        return nanos;
    }

    /** Latencies of one kind of login over all rounds. */
    private static final class Phase {
        private final long[] all;
        private final double[] perSecondByRound;
        private final int perRound;

        Phase(int rounds, int perRound) {
            this.all = new long[rounds * perRound];
            this.perSecondByRound = new double[rounds];
            this.perRound = perRound;
        }

        void record(int round, long[] nanos) {
            System.arraycopy(nanos, 0, all, round * perRound, nanos.length);
            perSecondByRound[round] = nanos.length * 1e9 / Arrays.stream(nanos).sum();
        }

        Summary summary() {
            long[] sorted = all.clone();
            Arrays.sort(sorted);
            double[] rates = perSecondByRound.clone();
            Arrays.sort(rates);
            return new Summary(rates[rates.length / 2], sorted[sorted.length / 2], sorted[(int) Math.ceil(sorted.length * 0.99) - 1]);
        }
    }

    private record Summary(double perSecond, double p50, double p99) {
    }
}
