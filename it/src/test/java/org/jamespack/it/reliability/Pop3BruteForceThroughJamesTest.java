package org.jamespack.it.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.jamespack.auth.ldap.InMemoryLdap;
import org.jamespack.it.clients.Pop3Client;
import org.jamespack.it.hostile.CapturedLogs;
import org.jamespack.it.hostile.ReliabilityFixtures;
import org.jamespack.it.james.PackJamesExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@link BruteForceThroughJamesTest} over POP3 USER/PASS, through a real James whose
 * {@code pop3server.xml} puts the pack's {@code PackPop3PassHandler} before
 * {@code CoreCmdHandlerLoader}; same pack (LDAP rebind, throttle defaults written out: failure
 * delay 2 s, penalty after 3 failures, from 2 s doubling to 15 s).
 *
 * <p>Four parallel connections from 127.0.0.3 guess alice's password for
 * {@value #WINDOW_SECONDS} s while alice logs in by POP3 from 127.0.0.2. James' POP3 server
 * serves its connections on a few Netty I/O threads ({@code pop3server-io-*}); a failure delay
 * slept there would hold up alice's PASS on the same thread.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class Pop3BruteForceThroughJamesTest {

    static final int WINDOW_SECONDS = 12;
    static final String ALICE = BruteForceThroughJamesTest.ALICE;
    static final String ALICE_PASSWORD = BruteForceThroughJamesTest.ALICE_PASSWORD;
    private static final long FAILURE_DELAY_MILLIS = 2000;
    private static final Pattern AUDIT = ReliabilityFixtures.auditLine("pop3");

    @RegisterExtension
    @Order(0)
    static final CapturedLogs LOGS = new CapturedLogs();

    static final InMemoryLdap LDAP = ReliabilityFixtures.ldapWithAlice();

    @RegisterExtension
    @Order(1)
    static PackJamesExtension james = PackJamesExtension.builder()
        .backends(ReliabilityFixtures.factories())
        .usersRepositoryXml(() -> ReliabilityFixtures.usersRepository("directory",
            ReliabilityFixtures.ldapElement(LDAP.url(), "rebind", ""),
            ReliabilityFixtures.DEFAULT_THROTTLE))
        .build();

    @AfterAll
    static void stop() {
        LDAP.close();
    }

    /**
     * As the SMTP test ({@code aliceShouldNotBeSlowedByTheAttackersDelays}): alice's PASS is
     * answered while four connections guess from elsewhere, and no POP3 I/O thread is ever seen
     * waiting in the pack's code. Before the pack's PASS handler, the mailbox authenticator slept
     * each 2 s failure delay on the POP3 I/O thread. Her answer times are printed, not asserted:
     * on a loaded machine they measure the load as much as the server.
     */
    @Test
    @Order(1)
    void alicesPassShouldNotWaitOnAnIoThreadWhileFourConnectionsGuessFromElsewhere() throws Exception {
        InetAddress attacker = InetAddress.getByName("127.0.0.3");
        InetAddress alicesAddress = InetAddress.getByName("127.0.0.2");
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(WINDOW_SECONDS);
        List<Long> aliceMillis = Collections.synchronizedList(new ArrayList<>());
        List<String> aliceReplies = Collections.synchronizedList(new ArrayList<>());

        IoThreadWatch ioThreads = IoThreadWatch.start("pop3server-io");
        ExecutorService pool = Executors.newFixedThreadPool(5);
        List<Future<Integer>> attacks = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            String tag = "par" + i;
            attacks.add(pool.submit(() -> attack(attacker, end, tag)));
        }
        Future<?> alice = pool.submit(() -> {
            while (System.nanoTime() < end) {
                try (Pop3Client pop3 = new Pop3Client(james.pop3Port(), alicesAddress)) {
                    assertThat(pop3.command("USER " + ALICE)).startsWith("+OK");
                    long t0 = System.nanoTime();
                    aliceReplies.add(pop3.command("PASS " + ALICE_PASSWORD));
                    aliceMillis.add((System.nanoTime() - t0) / 1_000_000);
                    pop3.quit();
                }
                Thread.sleep(500);
            }
            return null;
        });
        int sent = 0;
        for (Future<Integer> f : attacks) {
            sent += f.get(WINDOW_SECONDS + 60, TimeUnit.SECONDS);
        }
        alice.get(60, TimeUnit.SECONDS);
        pool.shutdown();
        ioThreads.close();

        Counts par = Counts.of(LOGS.lines(), "127.0.0.3");
        List<Long> sorted = new ArrayList<>(aliceMillis);
        Collections.sort(sorted);
        System.out.printf("%n=== brute force through James POP3 USER/PASS, %d s window, throttle defaults ===%n", WINDOW_SECONDS);
        System.out.printf("attacker 127.0.0.3 (4 connections): %d PASS sent, %d answered (%.2f/s), %d checked by the directory (%.2f/s), %d throttled%n",
            sent, par.answered, par.answered / (double) WINDOW_SECONDS, par.checked, par.checked / (double) WINDOW_SECONDS, par.throttled);
        System.out.printf("alice from 127.0.0.2: %d POP3 logins, replies %s, PASS latency ms min %d / max %d%n", aliceMillis.size(),
            new java.util.TreeSet<>(aliceReplies), sorted.get(0), sorted.get(sorted.size() - 1));
        System.out.printf("I/O threads %s sampled %d times: %d samples waiting in the pack's code%n",
            new java.util.TreeSet<>(ioThreads.threadsSeen()), ioThreads.samples(), ioThreads.waitsInPackCode().size());

        assertThat(par.checked / (double) WINDOW_SECONDS).as("guesses checked per second, 4 connections").isLessThanOrEqualTo(1.0);
        assertThat(aliceReplies).as("alice's replies from her own address").isNotEmpty()
            .allSatisfy(r -> assertThat(r).startsWith("+OK"));
        assertThat(ioThreads.threadsSeen()).as("James' POP3 I/O threads, sampled").isNotEmpty();
        assertThat(ioThreads.samples()).as("samples taken during the attack").isGreaterThan(100);
        assertThat(ioThreads.waitsInPackCode()).as("samples of a POP3 I/O thread waiting out a delay in the pack's code").isEmpty();
    }

    /**
     * The failure answer comes at once, but the connection is not read for the failure delay:
     * the attacker's next command (here USER, then its next guess) is answered only after it.
     */
    @Test
    @Order(2)
    void attackersNextCommandShouldWaitOutTheFailureDelayWhenItsPassFailed() throws Exception {
        InetAddress from = InetAddress.getByName("127.0.0.4");
        try (Pop3Client pop3 = new Pop3Client(james.pop3Port(), from)) {
            assertThat(pop3.command("USER " + ALICE)).startsWith("+OK");
            long t0 = System.nanoTime();
            String failed = pop3.command("PASS wrong-guess-1");
            long failedMillis = (System.nanoTime() - t0) / 1_000_000;
            long t1 = System.nanoTime();
            String nextUser = pop3.command("USER " + ALICE);
            long nextMillis = (System.nanoTime() - t1) / 1_000_000;
            String nextGuess = pop3.command("PASS wrong-guess-2");
            System.out.printf("%n=== POP3 failure delay on one connection: failure answered in %d ms, next command answered after %d ms%n",
                failedMillis, nextMillis);

            assertThat(failed).startsWith("-ERR");
            // the failure is answered at once and the delay is paid before the next command is read; the other way
            // round (the delay slept before the answer) swaps the two times, whatever the machine's load
            assertThat(failedMillis).as("the failure answer, ms, against the next command's wait").isLessThan(nextMillis);
            assertThat(nextUser).startsWith("+OK");
            assertThat(nextMillis).as("the next command after a failed PASS, ms").isGreaterThanOrEqualTo(FAILURE_DELAY_MILLIS - 100);
            assertThat(nextGuess).startsWith("-ERR");
        }
    }

    /**
     * USER/PASS pairs pipelined in one write are read before the first failure's answer, so
     * holding the connection back cannot delay them: the handler refuses them unchecked.
     */
    @Test
    @Order(3)
    void pipelinedGuessesShouldBeRefusedWithoutAskingTheDirectoryWhenSentInsideTheFailureDelay() throws Exception {
        InetAddress pipeliner = InetAddress.getByName("127.0.0.5");
        int guesses = 5;
        StringBuilder batch = new StringBuilder();
        for (int i = 0; i < guesses; i++) {
            if (i > 0) {
                batch.append("\r\n");
            }
            batch.append("USER ").append(ALICE).append("\r\nPASS pipelined-").append(i);
        }
        long binds = LDAP.binds();
        List<String> passReplies = new ArrayList<>();
        try (Pop3Client pop3 = new Pop3Client(james.pop3Port(), pipeliner)) {
            pop3.send(batch.toString());
            for (int i = 0; i < guesses; i++) {
                assertThat(pop3.readLine()).startsWith("+OK");
                passReplies.add(pop3.readLine());
            }
        }

        assertThat(passReplies).hasSize(guesses).allSatisfy(r -> assertThat(r).startsWith("-ERR"));
        assertThat(LDAP.binds() - binds).as("directory binds for %d pipelined guesses", guesses).isEqualTo(1);
        assertThat(LOGS.lines()).filteredOn(l -> l.contains("client=127.0.0.5") && l.contains("org.jamespack.auth.audit"))
            .as("audit lines of the pipelined guesses").hasSize(guesses)
            .filteredOn(l -> l.contains("detail=throttled: sent inside the failure delay")).hasSize(guesses - 1);
    }

    /** Guesses on one connection until the window closes; reconnects if James closes it. */
    private static int attack(InetAddress from, long end, String tag) throws Exception {
        int n = 0;
        while (System.nanoTime() < end) {
            try (Pop3Client pop3 = new Pop3Client(james.pop3Port(), from)) {
                while (System.nanoTime() < end) {
                    String reply = pop3.login(ALICE, "guess-" + tag + "-" + (n++));
                    if (!reply.startsWith("-ERR")) {
                        break;
                    }
                }
            }
        }
        return n;
    }

    /** One attacker's audit lines: answered, checked by the backend, throttled. */
    private record Counts(int answered, int checked, int throttled) {
        static Counts of(List<String> lines, String client) {
            int answered = 0;
            int throttled = 0;
            for (String line : lines) {
                Matcher m = AUDIT.matcher(line);
                if (m.matches() && m.group(2).equals(client) && m.group(1).equals(ALICE)) {
                    answered++;
                    if (m.group(4).contains("throttled")) {
                        throttled++;
                    }
                }
            }
            return new Counts(answered, answered - throttled, throttled);
        }
    }
}
