package org.jamespack.it.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.jamespack.auth.LoginAttempt;
import org.jamespack.auth.Protocol;
import org.jamespack.foundation.Secret;
import org.jamespack.auth.Verdict;
import org.jamespack.auth.kopano.KopanoSettings;
import org.jamespack.auth.kopano.KopanoVerifier;
import org.jamespack.auth.kopano.standin.KopanoStandIn;
import org.jamespack.it.hostile.ReliabilityFixtures;
import org.junit.jupiter.api.Test;

/**
 * The Kopano stand-in reads each request and never answers: every login must end UNAVAILABLE
 * within the configured response time-out. Directly on {@link KopanoVerifier}: the bound is
 * the verifier's (James would only turn the verdict into 454 / NO / -ERR). 24 logins from 8
 * threads at once, so that time-outs are also honoured under concurrency; p50 and p100 printed.
 */
class KopanoHangTimeoutTest {

    static final Duration RESPONSE_TIMEOUT = Duration.ofMillis(1500);
    /** Scheduling slack on 2 shared cores. */
    static final Duration SLACK = Duration.ofMillis(500);

    @Test
    void loginsShouldBeUnavailableWithinTheResponseTimeoutWhenKopanoHangs() throws Exception {
        try (KopanoStandIn kopano = ReliabilityFixtures.kopanoWithAlice()) {
            kopano.outage(KopanoStandIn.Outage.HANG);
            KopanoVerifier verifier = KopanoVerifier.create(KopanoSettings.builder().url(kopano.url())
                .connectTimeout(Duration.ofSeconds(1)).responseTimeout(RESPONSE_TIMEOUT).build());
            ExecutorService pool = Executors.newFixedThreadPool(8);
            try {
                List<Future<long[]>> calls = new ArrayList<>();
                for (int i = 0; i < 24; i++) {
                    calls.add(pool.submit(() -> {
                        long t0 = System.nanoTime();
                        Verdict v = verifier.verify(LoginAttempt.of("alice@example.org", Secret.of("Alice-Secret-2026"), Protocol.SMTP));
                        return new long[] {(System.nanoTime() - t0) / 1_000_000, v.state().ordinal()};
                    }));
                }
                List<Long> millis = new ArrayList<>();
                List<Verdict.State> states = new ArrayList<>();
                for (Future<long[]> f : calls) {
                    long[] r = f.get(60, TimeUnit.SECONDS);
                    millis.add(r[0]);
                    states.add(Verdict.State.values()[(int) r[1]]);
                }
                Collections.sort(millis);
                System.out.printf("%n=== Kopano stand-in hung (KopanoVerifier directly, responseTimeout %d ms, 24 logins on 8 threads) ===%n",
                    RESPONSE_TIMEOUT.toMillis());
                System.out.printf("states %s; ms min %d, p50 %d, p100 %d (bound %d)%n", new java.util.TreeSet<>(states),
                    millis.get(0), millis.get(millis.size() / 2), millis.get(millis.size() - 1), RESPONSE_TIMEOUT.plus(SLACK).toMillis());

                assertThat(states).allMatch(s -> s == Verdict.State.UNAVAILABLE);
                assertThat(millis.get(millis.size() - 1)).as("p100, ms").isLessThanOrEqualTo(RESPONSE_TIMEOUT.plus(SLACK).toMillis());
                assertThat(millis.get(0)).as("fastest, ms: the time-out is waited for, not skipped")
                    .isGreaterThanOrEqualTo(RESPONSE_TIMEOUT.toMillis() - 50);
            } finally {
                pool.shutdownNow();
                verifier.close();
            }
        }
    }
}
