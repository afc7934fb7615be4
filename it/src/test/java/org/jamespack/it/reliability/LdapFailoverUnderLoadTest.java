package org.jamespack.it.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.jamespack.auth.LoginAttempt;
import org.jamespack.auth.Protocol;
import org.jamespack.foundation.Secret;
import org.jamespack.auth.Verdict;
import org.jamespack.auth.ldap.InMemoryLdap;
import org.jamespack.auth.ldap.LdapVerifier;
import org.jamespack.it.hostile.ReliabilityFixtures;
import org.junit.jupiter.api.Test;

/**
 * Failover across two directories with the same users while the first is killed mid-load:
 * 16 threads log alice, bob and carol in with their right passwords, and after two seconds the
 * first directory stops listening and drops every connection. Directly on {@link LdapVerifier}:
 * failover is the verifier's connection pools' business, James adds nothing to it.
 *
 * <p>The honest assertion: a request already sent to the killed server can only end
 * UNAVAILABLE (its answer is lost; resending a bind elsewhere is the verifier's choice), so
 * what is asserted is that no right password is ever REJECTED or DISABLED, that UNAVAILABLE
 * answers are at most one per thread in flight (16), all within the failover interval right
 * after the kill, and that none happens once the second directory has answered.
 */
class LdapFailoverUnderLoadTest {

    static final int THREADS = 16;
    static final Duration BEFORE_KILL = Duration.ofSeconds(2);
    static final Duration AFTER_KILL = Duration.ofSeconds(4);

    @Test
    void rightPasswordsShouldNeverBeRejectedWhenFirstDirectoryIsKilledMidLoad() throws Exception {
        InMemoryLdap first = ReliabilityFixtures.ldapWithAlice();
        InMemoryLdap second = ReliabilityFixtures.ldapWithAlice();
        LdapVerifier verifier = LdapVerifier.create(first.settings().url(second.url())
            .loginAttributes("mail").usernameAttribute("mail")
            .connectTimeout(Duration.ofSeconds(1)).responseTimeout(Duration.ofSeconds(2)).build());
        String[][] users = {{"alice@example.org", "Alice-Secret-2026"}, {"bob@example.org", "Bob-Pw-Zeta9"},
            {"carol@example.org", "Cr\u00e8me-br\u00fbl\u00e9e-7"}};
        record Answer(long atNanos, Verdict.State state, long micros) {
        }
        ConcurrentLinkedQueue<Answer> answers = new ConcurrentLinkedQueue<>();
        long start = System.nanoTime();
        long end = start + BEFORE_KILL.plus(AFTER_KILL).toNanos();
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<?>> workers = new ArrayList<>();
        try {
            for (int t = 0; t < THREADS; t++) {
                int me = t;
                workers.add(pool.submit(() -> {
                    go.await();
                    int i = me;
                    while (System.nanoTime() < end) {
                        String[] u = users[i++ % users.length];
                        long t0 = System.nanoTime();
                        Verdict v = verifier.verify(LoginAttempt.of(u[0], Secret.of(u[1]), Protocol.IMAP));
                        long t1 = System.nanoTime();
                        answers.add(new Answer(t1, v.state(), (t1 - t0) / 1000));
                    }
                    return null;
                }));
            }
            go.countDown();
            Thread.sleep(BEFORE_KILL.toMillis());
            long killedAt = System.nanoTime();
            first.close();
            for (Future<?> w : workers) {
                w.get(60, TimeUnit.SECONDS);
            }

            List<Answer> all = new ArrayList<>(answers);
            long before = all.stream().filter(a -> a.atNanos() < killedAt).count();
            long accepted = all.stream().filter(a -> a.state() == Verdict.State.ACCEPTED).count();
            long rejected = all.stream().filter(a -> a.state() == Verdict.State.REJECTED || a.state() == Verdict.State.DISABLED).count();
            List<Answer> unavailable = all.stream().filter(a -> a.state() == Verdict.State.UNAVAILABLE).toList();
            long firstAcceptedAfterKill = all.stream().filter(a -> a.atNanos() > killedAt && a.state() == Verdict.State.ACCEPTED)
                .mapToLong(Answer::atNanos).min().orElse(Long.MAX_VALUE);
            long lastUnavailable = unavailable.stream().mapToLong(Answer::atNanos).max().orElse(killedAt);
            long slowestMicros = all.stream().filter(a -> a.atNanos() > killedAt).mapToLong(Answer::micros).max().orElse(0);
            System.out.printf("%n=== LDAP failover under load (LdapVerifier directly, %d threads, kill after %d s, %d s more) ===%n",
                THREADS, BEFORE_KILL.toSeconds(), AFTER_KILL.toSeconds());
            System.out.printf("logins: %d (%d before the kill, %d after), ACCEPTED %d, REJECTED/DISABLED %d, UNAVAILABLE %d%n",
                all.size(), before, all.size() - before, accepted, rejected, unavailable.size());
            System.out.printf("binds served by the second directory: %d%n", second.binds());
            System.out.printf("first ACCEPTED after the kill: +%d ms; last UNAVAILABLE: +%d ms; slowest login after the kill: %d ms%n",
                (firstAcceptedAfterKill - killedAt) / 1_000_000, (lastUnavailable - killedAt) / 1_000_000, slowestMicros / 1000);

            assertThat(second.binds()).as("user binds the second directory took over").isGreaterThan(0);
            assertThat(rejected).as("right passwords refused as wrong or disabled").isZero();
            assertThat(unavailable).as("UNAVAILABLE before the kill").noneMatch(a -> a.atNanos() < killedAt);
            assertThat(unavailable.size()).as("UNAVAILABLE answers: at most the requests in flight at the kill").isLessThanOrEqualTo(THREADS);
            assertThat(unavailable).as("UNAVAILABLE after the second directory answered").noneMatch(a -> a.atNanos() > firstAcceptedAfterKill);
            assertThat(accepted).as("logins accepted after the kill").isGreaterThan(0);
            assertThat(all.stream().filter(a -> a.atNanos() > killedAt + Duration.ofSeconds(1).toNanos()))
                .as("answers after the failover").isNotEmpty().allMatch(a -> a.state() == Verdict.State.ACCEPTED);
        } finally {
            pool.shutdownNow();
            verifier.close();
            second.close();
        }
    }
}
