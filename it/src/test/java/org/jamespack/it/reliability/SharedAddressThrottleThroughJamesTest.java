package org.jamespack.it.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

import org.jamespack.auth.BackendUnavailableException;
import org.jamespack.auth.CredentialVerifier;
import org.jamespack.auth.LoginAttempt;
import org.jamespack.auth.UserDirectory;
import org.jamespack.auth.Verdict;
import org.jamespack.auth.pack.BackendFactories;
import org.jamespack.auth.ldap.InMemoryLdap;
import org.jamespack.auth.ldap.LdapVerifier;
import org.jamespack.it.clients.ImapClient;
import org.jamespack.it.clients.SmtpClient;
import org.jamespack.it.hostile.ReliabilityFixtures;
import org.jamespack.it.james.PackJamesExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import net.jcip.annotations.ThreadSafe;

/**
 * Issue 12, items 3 and 4, through a real James 3.8.1: many users behind one address (NAT, a
 * webmail front end) while a guesser sits among them. The directory (LDAP rebind, login by mail)
 * is wrapped in a counter that sees every check the pack makes, with its client address, so the
 * bounds are asserted on counts at the backend, not on wall-clock speed.
 *
 * <p>The throttle, written out below: failure delay 200 ms (to keep the test short), penalty
 * after 3 failures of one (address, login), 1 s doubling to 4 s; per address at most 4 checks
 * in flight and a budget of 20 refilled at 20 a second.
 * <ul>
 * <li>1 000 guesses at bob from 127.0.0.21 over 50 SMTP connections: bob's checks at the
 *     directory are bounded by the penalty ({@code penaltyAfter} plus one per penalty window),
 *     whatever the concurrency (reserved before asked).</li>
 * <li>1 000 logins sprayed over 1 000 logins from 127.0.0.22 over 50 SMTP connections: the
 *     address's failed checks are bounded by its budget (burst + rate × time; an accepted check
 *     gives its token back; at most 4 at once).</li>
 * <li>Meanwhile alice logs in from the same address, over IMAP (which waits for a slot) and SMTP
 *     (which answers 454, a temporary failure her client retries, when there is none): every one
 *     of her logins ends ACCEPTED, and her answer times are printed.</li>
 * </ul>
 */
class SharedAddressThrottleThroughJamesTest {

    static final String ALICE = "alice@example.org";
    static final String ALICE_PASSWORD = "Alice-Secret-2026";
    static final String BOB = "bob@example.org";
    static final int CONNECTIONS = 50;
    static final int ATTEMPTS = 1000;
    static final int PENALTY_AFTER = 3;
    static final int CHECKS_IN_FLIGHT = 4;
    static final int CHECKS_PER_SECOND = 20;
    static final int CHECK_BURST = 20;
    static final String THROTTLE = "    <throttle failureDelay=\"200ms\" penaltyAfter=\"" + PENALTY_AFTER
        + "\" penaltyInitial=\"1s\" penaltyMax=\"4s\" checksInFlight=\"" + CHECKS_IN_FLIGHT + "\" checksPerSecond=\""
        + CHECKS_PER_SECOND + "\" checkBurst=\"" + CHECK_BURST + "\" checkWait=\"5s\"/>\n";

    static final InMemoryLdap LDAP = ReliabilityFixtures.ldapWithAlice();
    static final Map<String, CountingDirectory> COUNTERS = new ConcurrentHashMap<>();

    @RegisterExtension
    static PackJamesExtension james = PackJamesExtension.builder()
        .backends(BackendFactories.standard().withBackend("ldap", node -> {
            CountingDirectory counting = new CountingDirectory(LdapVerifier.fromConfig(node));
            COUNTERS.put("ldap", counting);
            return counting;
        }))
        .usersRepositoryXml(() -> ReliabilityFixtures.usersRepository("directory",
            ReliabilityFixtures.ldapElement(LDAP.url(), "rebind", ""), THROTTLE))
        .build();

    @AfterAll
    static void stop() {
        LDAP.close();
    }

    @Test
    void guessesAtBobFromASharedAddressShouldBeBoundedByThePenaltyWhileAliceIsAcceptedFromIt() throws Exception {
        InetAddress shared = InetAddress.getByName("127.0.0.21");
        CountingDirectory directory = COUNTERS.get("ldap");
        Run run = attack(shared, i -> BOB, "bob");

        long bobChecks = directory.checks(shared, BOB);
        double seconds = run.nanos / 1e9;
        print("1 000 guesses at bob from one address over 50 SMTP connections", shared, run, directory);
        System.out.printf("bob's checks at the directory: %d (bound %d)%n", bobChecks, bobBound(seconds));

        assertThat(run.sent).isEqualTo(ATTEMPTS);
        assertThat(run.accepted).as("guesses accepted").isZero();
        assertThat(bobChecks).as("bob's checks: penaltyAfter, then one per penalty window (>= 1 s)")
            .isLessThanOrEqualTo(bobBound(seconds));
        assertThat(directory.maxInFlight(shared)).isLessThanOrEqualTo(CHECKS_IN_FLIGHT);
        assertAliceAccepted(run);
    }

    @Test
    void loginsSprayedFromASharedAddressShouldBeBoundedByItsBudgetWhileAliceIsAcceptedFromIt() throws Exception {
        InetAddress shared = InetAddress.getByName("127.0.0.22");
        CountingDirectory directory = COUNTERS.get("ldap");
        Run run = attack(shared, i -> "user" + i + "@example.org", "spray");

        long sprayed = directory.checks(shared) - directory.checks(shared, ALICE);
        double seconds = run.nanos / 1e9;
        // tokens: the burst and the refill over the run (the address's budget starts with its first attempt, after t0);
        // alice's accepted checks take a token each and give it back, adding none
        long bound = CHECK_BURST + (long) Math.ceil(CHECKS_PER_SECOND * seconds);
        print("1 000 logins sprayed from one address over 50 SMTP connections", shared, run, directory);
        System.out.printf("sprayed checks at the directory: %d in %.1f s (bound burst + rate x time = %d); "
            + "answered 454 unchecked: %d%n", sprayed, seconds, bound, run.temporary.get());

        assertThat(run.sent).isEqualTo(ATTEMPTS);
        assertThat(run.accepted).as("sprayed logins accepted").isZero();
        assertThat(sprayed).as("sprayed checks at the directory").isLessThanOrEqualTo(bound).isPositive();
        assertThat(directory.maxInFlight(shared)).as("checks of the address at once").isLessThanOrEqualTo(CHECKS_IN_FLIGHT);
        assertAliceAccepted(run);
    }

    private static long bobBound(double seconds) {
        return PENALTY_AFTER + (long) Math.ceil(seconds) + 1;
    }

    private static void assertAliceAccepted(Run run) {
        assertThat(run.aliceImap).as("alice's IMAP logins from the shared address").isNotEmpty()
            .allSatisfy(r -> assertThat(r.reply).contains("OK"));
        assertThat(run.aliceSmtp).as("alice's SMTP logins from the shared address (after any 454 retries)").isNotEmpty()
            .allSatisfy(r -> assertThat(r.reply).startsWith("235"));
    }

    private static void print(String what, InetAddress from, Run run, CountingDirectory directory) {
        double seconds = run.nanos / 1e9;
        System.out.printf("%n=== %s ===%n", what);
        System.out.printf("%d attempts in %.1f s: %d answered 535, %d answered 454; directory checks from %s: %d "
            + "(%.1f/s, busiest second %d, at most %d at once)%n", run.sent, seconds, run.refused.get(), run.temporary.get(),
            from.getHostAddress(), directory.checks(from), directory.checks(from) / seconds, directory.busiestSecond(from),
            directory.maxInFlight(from));
        System.out.printf("alice from the same address: IMAP %s; SMTP %s (454 retries %d)%n", times(run.aliceImap),
            times(run.aliceSmtp), run.aliceRetries.get());
    }

    private static String times(List<Answer> answers) {
        List<Long> ms = new ArrayList<>();
        answers.forEach(a -> ms.add(a.millis));
        Collections.sort(ms);
        return ms.isEmpty() ? "none" : answers.size() + " logins, ms min " + ms.get(0) + " / median " + ms.get(ms.size() / 2)
            + " / max " + ms.get(ms.size() - 1);
    }

    /** {@link #ATTEMPTS} AUTH PLAIN attempts over {@link #CONNECTIONS} connections from {@code from}, alice meanwhile. */
    private static Run attack(InetAddress from, java.util.function.IntFunction<String> login, String tag) throws Exception {
        Run run = new Run();
        AtomicInteger next = new AtomicInteger();
        AtomicBoolean done = new AtomicBoolean();
        ExecutorService pool = Executors.newFixedThreadPool(CONNECTIONS + 1);
        long t0 = System.nanoTime();
        try {
            List<Future<?>> attackers = new ArrayList<>();
            for (int c = 0; c < CONNECTIONS; c++) {
                attackers.add(pool.submit(() -> {
                    SmtpClient smtp = null;
                    try {
                        int i;
                        while ((i = next.getAndIncrement()) < ATTEMPTS) {
                            if (smtp == null) {
                                smtp = new SmtpClient(james.smtpPort(), from);
                                smtp.ehlo();
                            }
                            String reply = smtp.authPlain(login.apply(i), "Guess-" + tag + "-" + i);
                            run.count(reply);
                            if (!reply.startsWith("535") && !reply.startsWith("454")) {
                                smtp.close();
                                smtp = null;
                            }
                        }
                    } finally {
                        if (smtp != null) {
                            smtp.close();
                        }
                    }
                    return null;
                }));
            }
            Future<?> alice = pool.submit(() -> {
                while (!done.get()) {
                    long a = System.nanoTime();
                    try (ImapClient imap = new ImapClient(james.imapPort(), from)) {
                        run.aliceImap.add(new Answer(imap.login(ALICE, ALICE_PASSWORD), (System.nanoTime() - a) / 1_000_000));
                    }
                    long s = System.nanoTime();
                    try (SmtpClient smtp = new SmtpClient(james.smtpPort(), from)) {
                        smtp.ehlo();
                        String reply = smtp.authPlain(ALICE, ALICE_PASSWORD);
                        // a temporary failure: her client retries, as mail clients do after a 454
                        for (int retry = 0; reply.startsWith("454") && retry < 100; retry++) {
                            run.aliceRetries.incrementAndGet();
                            reply = smtp.authPlain(ALICE, ALICE_PASSWORD);
                        }
                        run.aliceSmtp.add(new Answer(reply, (System.nanoTime() - s) / 1_000_000));
                    }
                }
                return null;
            });
            for (Future<?> f : attackers) {
                f.get(120, TimeUnit.SECONDS);
            }
            run.nanos = System.nanoTime() - t0;
            done.set(true);
            alice.get(120, TimeUnit.SECONDS);
        } finally {
            done.set(true);
            pool.shutdownNow();
        }
        run.sent = Math.min(next.get(), ATTEMPTS);
        return run;
    }

    /** One attack's outcome; filled by the client threads. */
    @ThreadSafe
    private static final class Run {
        final AtomicInteger refused = new AtomicInteger();
        final AtomicInteger temporary = new AtomicInteger();
        final AtomicInteger aliceRetries = new AtomicInteger();
        final List<Answer> aliceImap = Collections.synchronizedList(new ArrayList<>());
        final List<Answer> aliceSmtp = Collections.synchronizedList(new ArrayList<>());
        volatile int accepted;
        volatile long nanos;
        volatile int sent;

        void count(String reply) {
            if (reply.startsWith("535")) {
                refused.incrementAndGet();
            } else if (reply.startsWith("454")) {
                temporary.incrementAndGet();
            } else if (reply.startsWith("235")) {
                synchronized (this) {
                    accepted++;
                }
            }
        }
    }

    private record Answer(String reply, long millis) {
    }

    /**
     * The directory as the pack sees it, counting every check per client address and login: how
     * many, how many at once, and per second. Thread-safe: James' protocol threads call it at once.
     */
    @ThreadSafe
    static final class CountingDirectory implements CredentialVerifier, UserDirectory {
        private final LdapVerifier ldap;
        private final Map<String, LongAdder> byAddressAndLogin = new ConcurrentHashMap<>();
        private final Map<String, LongAdder> byAddress = new ConcurrentHashMap<>();
        private final Map<String, AtomicInteger> inFlight = new ConcurrentHashMap<>();
        private final Map<String, AtomicInteger> maxInFlight = new ConcurrentHashMap<>();
        private final Map<String, Map<Long, LongAdder>> perSecond = new ConcurrentHashMap<>();

        CountingDirectory(LdapVerifier ldap) {
            this.ldap = ldap;
        }

        @Override
        public Verdict verify(LoginAttempt attempt) {
            String from = attempt.client().map(InetAddress::getHostAddress).orElse("-");
            byAddress.computeIfAbsent(from, k -> new LongAdder()).increment();
            byAddressAndLogin.computeIfAbsent(from + " " + attempt.login(), k -> new LongAdder()).increment();
            perSecond.computeIfAbsent(from, k -> new ConcurrentHashMap<>())
                .computeIfAbsent(System.nanoTime() / 1_000_000_000L, k -> new LongAdder()).increment();
            AtomicInteger now = inFlight.computeIfAbsent(from, k -> new AtomicInteger());
            maxInFlight.computeIfAbsent(from, k -> new AtomicInteger()).accumulateAndGet(now.incrementAndGet(), Math::max);
            try {
                return ldap.verify(attempt);
            } finally {
                now.decrementAndGet();
            }
        }

        long checks(InetAddress from) {
            LongAdder n = byAddress.get(from.getHostAddress());
            return n == null ? 0 : n.sum();
        }

        long checks(InetAddress from, String login) {
            LongAdder n = byAddressAndLogin.get(from.getHostAddress() + " " + login);
            return n == null ? 0 : n.sum();
        }

        int maxInFlight(InetAddress from) {
            AtomicInteger n = maxInFlight.get(from.getHostAddress());
            return n == null ? 0 : n.get();
        }

        long busiestSecond(InetAddress from) {
            return perSecond.getOrDefault(from.getHostAddress(), Map.of()).values().stream().mapToLong(LongAdder::sum).max()
                .orElse(0);
        }

        @Override
        public Optional<String> lookup(String login) throws BackendUnavailableException {
            return ldap.lookup(login);
        }

        @Override
        public List<String> list() throws BackendUnavailableException {
            return ldap.list();
        }

        @Override
        public String name() {
            return ldap.name();
        }

        @Override
        public void close() {
            ldap.close();
        }
    }
}
