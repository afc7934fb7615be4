package org.jamespack.it.bench;

import java.util.Locale;

import org.jamespack.auth.LoginAttempt;
import org.jamespack.auth.Protocol;
import org.jamespack.foundation.Secret;
import org.jamespack.auth.Verdict;
import org.jamespack.auth.kopano.KopanoSettings;
import org.jamespack.auth.kopano.KopanoVerifier;
import org.jamespack.auth.kopano.ServiceGate;
import org.jamespack.auth.kopano.standin.KopanoStandIn;
import org.jamespack.auth.kopano.standin.SoapProbe;

/**
 * How much the Kopano verifier costs over the bare SOAP round trips it has to make, against the
 * same stand-in on loopback, one thread, keep-alive on both sides. Not a test: a {@code main}.
 *
 * <pre>
 * mvn -B -q -pl it -am test-compile exec:java -Dexec.mainClass=org.jamespack.it.bench.KopanoLoginBenchmark
 * </pre>
 *
 * <p>Two pairs are measured: (1) the verifier in {@code sessionless} mode (one logon with
 * ulFlags 3) against a bare logon round trip; (2) the verifier with a service gate (logon,
 * getUser, logoff) against the same three bare round trips. The figure printed is the ratio of
 * the times per login, verifier over bare; the goal is at most 1.2. Iterations:
 * {@code -Dbench.iterations=N} (default 4000), after as many warm-up rounds.
 *
 * <p>Figures on the 2-core shared machine (median of 9, wall time per login, bare vs verifier):
 * before the StAX reader was reused, logon only 62.2 vs 80.7 us (1.31) and gated 165.6 vs
 * 202.8 us (1.25); after, three runs gave logon only 1.16, 1.18, 1.15 (e.g. 56.2 vs 66.0 us)
 * and gated 1.16, 1.16, 1.15 (e.g. 140.2 vs 164.1 us). The remaining gap is the verifier's own
 * CPU, printed beside it: about 7 us per SOAP call, of which the secure StAX parse of the
 * answer and its small tree are about 4 us, while the bare probe only runs a regex.
 */
public final class KopanoLoginBenchmark {

    private KopanoLoginBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int n = Integer.getInteger("bench.iterations", 4000);
        try (KopanoStandIn standIn = KopanoStandIn.start()) {
            standIn.addUser("alice", "Bench-Pw-1").enable("imap");
            // the bare probe waits while the verifier runs: keep its connection from idling out
            standIn.idleTimeout(java.time.Duration.ofMinutes(10));
            // an operator runs at INFO; a DEBUG line per login on a console would measure the console
            ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("org.jamespack"))
                .setLevel(ch.qos.logback.classic.Level.INFO);

            KopanoVerifier sessionless = KopanoVerifier.create(KopanoSettings.builder().url(standIn.url()).sessionless(true).build());
            KopanoVerifier gated = KopanoVerifier.create(KopanoSettings.builder().url(standIn.url())
                .service(ServiceGate.parse("imap")).build());
            LoginAttempt attempt = LoginAttempt.of("alice", Secret.of("Bench-Pw-1"), Protocol.IMAP);

            try (SoapProbe probe = SoapProbe.connect(standIn.port())) {
                String logon3 = SoapProbe.logon("alice", "Bench-Pw-1", 3, 528);
                String logon1 = SoapProbe.logon("alice", "Bench-Pw-1", 1, 528);
                Runnable bareLogon = () -> check(call(probe, logon3).er() == 0);
                Runnable bareGated = () -> {
                    SoapProbe.Answer a = call(probe, logon1);
                    String id = Long.toUnsignedString(a.sessionId());
                    check(call(probe, SoapProbe.getUser(id)).body().contains("<ulObjClass>65537</ulObjClass>"));
                    check(call(probe, SoapProbe.logoff(id)).body().contains("<result>0</result>"));
                };
                Runnable verifySessionless = () -> check(sessionless.verify(attempt).state() == Verdict.State.ACCEPTED);
                Runnable verifyGated = () -> check(gated.verify(attempt).state() == Verdict.State.ACCEPTED);

                // warm the JIT on every path, then alternate short runs so that load from other
                // processes on the machine hits both sides alike; the median ratio is reported
                for (Runnable r : new Runnable[] {bareLogon, verifySessionless, bareGated, verifyGated}) {
                    perLogin(r, n / 2);
                }
                compare("logon only (sessionless, ulFlags 3)", bareLogon, verifySessionless, n);
                compare("logon + getUser + logoff (service gate)", bareGated, verifyGated, n);
            } finally {
                sessionless.close();
                gated.close();
            }
            // fairness: one keep-alive connection each for the probe and the two verifiers, never a reconnect
            System.out.printf(Locale.ROOT, "connections accepted by the stand-in: %d (expected 3)%n", standIn.connectionsAccepted());
            check(standIn.connectionsAccepted() == 3);
            check(standIn.openSessions() == 0);
            check(standIn.clientViolations().isEmpty());
        }
    }

    private static SoapProbe.Answer call(SoapProbe probe, String xml) {
        try {
            return probe.post(xml);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void check(boolean ok) {
        if (!ok) {
            throw new IllegalStateException("a benchmark login did not succeed");
        }
    }

    private static final java.lang.management.ThreadMXBean THREADS = java.lang.management.ManagementFactory.getThreadMXBean();
    /** Client-thread CPU microseconds per login of the last {@link #perLogin} run. */
    private static double lastCpuMicros;

    /** Microseconds per login over {@code count} logins. */
    private static double perLogin(Runnable login, int count) {
        long cpu = THREADS.getCurrentThreadCpuTime();
        long start = System.nanoTime();
        for (int i = 0; i < count; i++) {
            login.run();
        }
        long wall = System.nanoTime() - start;
        lastCpuMicros = (THREADS.getCurrentThreadCpuTime() - cpu) / 1000.0 / Math.max(1, count);
        return wall / 1000.0 / Math.max(1, count);
    }

    private static void compare(String what, Runnable bare, Runnable verifier, int n) {
        int rounds = 9;
        double[] ratios = new double[rounds];
        double[] bareTimes = new double[rounds];
        double[] verifierTimes = new double[rounds];
        double[] bareCpu = new double[rounds];
        double[] verifierCpu = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            bareTimes[r] = perLogin(bare, n / rounds);
            bareCpu[r] = lastCpuMicros;
            verifierTimes[r] = perLogin(verifier, n / rounds);
            verifierCpu[r] = lastCpuMicros;
            ratios[r] = verifierTimes[r] / bareTimes[r];
        }
        java.util.Arrays.sort(ratios);
        java.util.Arrays.sort(bareTimes);
        java.util.Arrays.sort(verifierTimes);
        java.util.Arrays.sort(bareCpu);
        java.util.Arrays.sort(verifierCpu);
        double bareMicros = bareTimes[rounds / 2];
        double verifierMicros = verifierTimes[rounds / 2];
        System.out.printf(Locale.ROOT, "%-42s bare %6.0f logins/s (%6.1f us)  verifier %6.0f logins/s (%6.1f us)  "
                + "ratio %.2f (median of %d; goal <= 1.20)%n",
            what, 1e6 / bareMicros, bareMicros, 1e6 / verifierMicros, verifierMicros, ratios[rounds / 2], rounds);
        // where the difference goes: the calling thread's own CPU (building, parsing, syscalls) or waiting
        System.out.printf(Locale.ROOT, "%-42s client-thread CPU per login: bare %5.1f us, verifier %5.1f us%n",
            "", bareCpu[rounds / 2], verifierCpu[rounds / 2]);
    }
}
