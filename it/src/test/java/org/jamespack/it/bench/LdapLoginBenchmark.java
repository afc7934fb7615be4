package org.jamespack.it.bench;

import java.lang.management.ManagementFactory;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

import org.apache.james.core.Username;
import org.apache.james.domainlist.api.DomainList;
import org.apache.james.user.ldap.LdapRepositoryConfiguration;
import org.apache.james.user.ldap.ReadOnlyUsersLDAPRepository;
import org.jamespack.auth.LoginAttempt;
import org.jamespack.auth.Protocol;
import org.jamespack.foundation.Secret;
import org.jamespack.auth.Verdict;
import org.jamespack.auth.ldap.InMemoryLdap;
import org.jamespack.auth.ldap.LdapSettings;
import org.jamespack.auth.ldap.LdapVerifier;
import org.jamespack.auth.ldap.SlapdServer;

import com.unboundid.ldap.listener.interceptor.InMemoryInterceptedCompareRequest;
import com.unboundid.ldap.listener.interceptor.InMemoryInterceptedExtendedRequest;
import com.unboundid.ldap.listener.interceptor.InMemoryInterceptedRequest;
import com.unboundid.ldap.listener.interceptor.InMemoryInterceptedSearchRequest;
import com.unboundid.ldap.listener.interceptor.InMemoryInterceptedSimpleBindRequest;
import com.unboundid.ldap.listener.interceptor.InMemoryOperationInterceptor;
import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.SearchResultEntry;
import com.unboundid.ldap.sdk.SearchScope;

/**
 * Cold logins with 32 threads: the pack's {@link LdapVerifier} in rebind mode (with its
 * login-to-DN cache) and in compare mode against James 3.8.1's own {@link ReadOnlyUsersLDAPRepository},
 * in one JVM, same UnboundID version (7.0.5, pinned by the parent pom) for both, first on an
 * UnboundID in-memory directory in the same JVM, then on OpenLDAP slapd in its own process.
 * "Cold": no verdict cache on either side, every login is checked by the directory; 1 000
 * users, 10 % of the logins with a wrong password (each side must answer each correctly: a
 * wrong answer is counted and printed). The pack's two pools hold one connection per thread;
 * James' pool grows by itself.
 *
 * <p>Printed per mode, as pack ÷ James over three rounds in alternating order (James, rebind,
 * compare, then the reverse, then again): logins per second, p50, p99 and p99.9 latency;
 * directory operations per login (counted at the directory: an interceptor in memory, slapd's
 * {@code cn=Monitor}); connections that carried an operation in a round. The machine's load
 * average is printed with each table: the machine is shared.
 *
 * <p>Run: {@code mvn -B -q -o -pl it -am test-compile exec:java
 * -Dexec.mainClass=org.jamespack.it.bench.LdapLoginBenchmark}; {@code -Djamespack.bench.paced=true}
 * adds the paced scenario of 2026-11-23 (each login followed by a seeded 0-5 ms or 0-20 ms pause:
 * process CPU per login and connections opened, in memory only). Measured figures: README, Benchmarks.
 */
public final class LdapLoginBenchmark {

    private static final int THREADS = 32;
    private static final String JAMES = "James";
    private static final String REBIND = "pack rebind";
    private static final String COMPARE = "pack compare";
    private static final int USERS = 1000;
    private static final double WRONG_PASSWORDS = 0.10;
    private static final Duration WARM_UP = Duration.ofSeconds(3);
    private static final Duration ROUND = Duration.ofSeconds(4);
    private static final int ROUNDS = 3;
    private static final Duration PACED_WARM_UP = Duration.ofSeconds(2);
    private static final Duration PACED_ROUND = Duration.ofSeconds(4);
    private static final int[] PACED_MAX_PAUSE_MILLIS = {5, 20};
    private static final long SEED = 20261123L;

    private LdapLoginBenchmark() {
    }

    /** One login; true when it was accepted. */
    private interface Login {
        boolean login(int user, boolean wrongPassword) throws Exception;
    }

    /** Counts what the directory was asked, from {@link #begin()} to {@link #end()}. */
    private interface DirectoryMeter {
        void begin() throws Exception;

        /** searches, binds, compares, connections that carried an operation. */
        long[] end() throws Exception;
    }

    public static void main(String[] args) throws Exception {
        // production level for both sides: a DEBUG line per login would measure the console, not LDAP
        ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME))
            .setLevel(ch.qos.logback.classic.Level.INFO);
        System.out.printf("LDAP login benchmark %s: %d threads, %d users, %.0f%% wrong passwords, no verdict cache, %d cores%n",
            java.time.Instant.now(), THREADS, USERS, WRONG_PASSWORDS * 100, Runtime.getRuntime().availableProcessors());
        ConnectionCounter counter = new ConnectionCounter();
        try (InMemoryLdap ldap = InMemoryLdap.start(counter)) {
            for (int i = 0; i < USERS; i++) {
                ldap.addSshaUser("u" + i, "u" + i + "@example.org", "pw-" + i);
            }
            compareSides("UnboundID in-memory directory (same JVM)", ldap.url(), ldap.settings(), InMemoryLdap.SERVICE_DN,
                InMemoryLdap.SERVICE_PASSWORD, InMemoryLdap.PEOPLE_DN, counter);
            if (Boolean.getBoolean("jamespack.bench.paced")) {
                pacedScenarios(ldap, counter);
            }
        }
        if (SlapdServer.missingReason().isPresent()) {
            System.out.println("slapd: skipped, " + SlapdServer.missingReason().get());
        } else {
            // indexed as the in-memory directory is, and as a production directory would be: both sides search
            SlapdServer.Builder builder = SlapdServer.builder().monitor().equalityIndex("objectClass", "uid", "mail");
            for (int i = 0; i < USERS; i++) {
                builder.user("u" + i, "u" + i + "@example.org", InMemoryLdap.ssha("pw-" + i));
            }
            try (SlapdServer slapd = builder.start(); LDAPConnection root = slapd.rootConnection()) {
                compareSides("OpenLDAP slapd (own process)", slapd.url(), slapd.settings(), SlapdServer.SERVICE_DN,
                    SlapdServer.SERVICE_PASSWORD, SlapdServer.PEOPLE_DN, new SlapdMonitor(root));
            }
        }
        System.exit(0);
    }

    private static void compareSides(String directory, String url, LdapSettings.Builder settings, String serviceDn,
                                     String servicePassword, String peopleDn, DirectoryMeter meter) throws Exception {
        // health checks of idle pooled connections (default every 30 s) would show on the directory
        // as connections used by whichever side runs then: none during the benchmark's minute
        settings.healthCheckInterval(Duration.ofMinutes(10));
        LdapVerifier rebind = LdapVerifier.create(settings.poolSize(THREADS).build());
        LdapVerifier compare = LdapVerifier.create(settings.poolSize(THREADS).mode(LdapSettings.Mode.COMPARE).build());
        ReadOnlyUsersLDAPRepository james = new ReadOnlyUsersLDAPRepository(noDomains());
        james.configure(LdapRepositoryConfiguration.builder()
            .ldapHost(url)
            .principal(serviceDn)
            .credentials(servicePassword)
            .userBase(peopleDn)
            .userIdAttribute("uid")
            .userObjectClass("inetOrgPerson")
            .build());
        james.init();
        Map<String, Login> sides = new LinkedHashMap<>();
        sides.put(JAMES, (i, wrong) -> james.test(Username.of("u" + i), wrong ? "wrong-" + i : "pw-" + i));
        sides.put(REBIND, pack(rebind));
        sides.put(COMPARE, pack(compare));
        System.out.printf("%n== %s, %s; load average %s%n", directory, url, loadAverage());
        for (Map.Entry<String, Login> side : sides.entrySet()) {
            run("warm-up " + side.getKey(), side.getValue(), WARM_UP, meter);
        }
        Map<String, Totals> totals = new LinkedHashMap<>();
        List<String> order = new ArrayList<>(sides.keySet());
        for (int round = 1; round <= ROUNDS; round++) {
            for (String side : order) {
                Totals t = run("round " + round + " " + side, sides.get(side), ROUND, meter);
                totals.computeIfAbsent(side, k -> new Totals()).add(t);
            }
            java.util.Collections.reverse(order);
        }
        Totals j = totals.get(JAMES);
        System.out.printf("%n%s, 3 rounds; load average %s%n", directory, loadAverage());
        System.out.println("| side | logins/s | p50 ms | p99 ms | p99.9 ms | searches+binds+compares per login | connections used | wrong answers |");
        System.out.println("|---|---|---|---|---|---|---|---|");
        for (Map.Entry<String, Totals> e : totals.entrySet()) {
            Totals t = e.getValue();
            System.out.printf("| %s | %.0f | %.2f | %.2f | %.2f | %.2f + %.2f + %.2f = %.2f | %d | %d |%n", e.getKey(), t.rate(),
                t.percentile(0.50), t.percentile(0.99), t.percentile(0.999), t.per(t.searches), t.per(t.binds),
                t.per(t.compares), t.per(t.searches + t.binds + t.compares), t.maxConnections, t.wrong);
        }
        System.out.println();
        System.out.println("| mode | logins/s pack÷James (goal ≥ 2.5) | p50 | p99 (goal ≤ 1) | p99.9 (goal ≤ 1) | operations per login pack / James |");
        System.out.println("|---|---|---|---|---|---|");
        for (String mode : List.of(REBIND, COMPARE)) {
            Totals p = totals.get(mode);
            System.out.printf("| %s | %.2f× | %.2f× | %.2f× | %.2f× | %.2f / %.2f |%n", mode.substring(5), p.rate() / j.rate(),
                p.percentile(0.50) / j.percentile(0.50), p.percentile(0.99) / j.percentile(0.99),
                p.percentile(0.999) / j.percentile(0.999), p.per(p.searches + p.binds + p.compares),
                j.per(j.searches + j.binds + j.compares));
        }
        rebind.close();
        compare.close();
    }

    private static Login pack(LdapVerifier verifier) {
        return (i, wrong) -> verifier.verify(LoginAttempt.of("u" + i, Secret.of(wrong ? "wrong-" + i : "pw-" + i), Protocol.IMAP))
            .state() == Verdict.State.ACCEPTED;
    }

    private static String loadAverage() {
        try {
            String[] parts = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).trim().split(" ");
            return parts[0] + " " + parts[1] + " " + parts[2];
        } catch (java.io.IOException e) {
            return String.format("%.2f", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        }
    }

    /** Logins, time, latencies and directory operations of one side, summed over rounds. */
    private static final class Totals {
        long logins;
        long wrong;
        double seconds;
        long searches;
        long binds;
        long compares;
        long maxConnections;
        long[] latencies = new long[0];

        void add(Totals t) {
            logins += t.logins;
            wrong += t.wrong;
            seconds += t.seconds;
            searches += t.searches;
            binds += t.binds;
            compares += t.compares;
            maxConnections = Math.max(maxConnections, t.maxConnections);
            long[] all = Arrays.copyOf(latencies, latencies.length + t.latencies.length);
            System.arraycopy(t.latencies, 0, all, latencies.length, t.latencies.length);
            Arrays.sort(all);
            latencies = all;
        }

        double rate() {
            return logins / seconds;
        }

        double per(long count) {
            return (double) count / Math.max(1, logins);
        }

        /** Milliseconds; {@code latencies} is sorted. */
        double percentile(double p) {
            if (latencies.length == 0) {
                return Double.NaN;
            }
            int index = (int) Math.min(latencies.length - 1, Math.ceil(p * latencies.length) - 1);
            return latencies[Math.max(0, index)] / 1e6;
        }
    }

    /** Thread-confined growable array of latencies. */
    private static final class Samples {
        long[] values = new long[1 << 14];
        int size;

        void add(long v) {
            if (size == values.length) {
                values = Arrays.copyOf(values, size * 2);
            }
            values[size++] = v;
        }
    }

    /** One round: every thread logs in as random users, 10 % with a wrong password, until the time is up. */
    private static Totals run(String label, Login login, Duration length, DirectoryMeter meter) throws Exception {
        LongAdder logins = new LongAdder();
        LongAdder wrongAnswers = new LongAdder();
        AtomicBoolean stop = new AtomicBoolean();
        CountDownLatch done = new CountDownLatch(THREADS);
        List<Thread> threads = new ArrayList<>();
        List<Samples> samples = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            Samples mine = new Samples();
            samples.add(mine);
            Thread thread = new Thread(() -> {
                try {
                    ThreadLocalRandom random = ThreadLocalRandom.current();
                    while (!stop.get()) {
                        int user = random.nextInt(USERS);
                        boolean wrong = random.nextDouble() < WRONG_PASSWORDS;
                        long begin = System.nanoTime();
                        boolean accepted;
                        try {
                            accepted = login.login(user, wrong);
                        } catch (Exception e) {
                            accepted = !wrong; // an exception is never the right answer: count it as wrong
                            wrongAnswers.increment();
                        }
                        mine.add(System.nanoTime() - begin);
                        logins.increment();
                        if (accepted == wrong) {
                            wrongAnswers.increment();
                        }
                    }
                } finally {
                    done.countDown();
                }
            });
            threads.add(thread);
        }
        meter.begin();
        long start = System.nanoTime();
        threads.forEach(Thread::start);
        Thread.sleep(length.toMillis());
        stop.set(true);
        done.await();
        double seconds = (System.nanoTime() - start) / 1e9;
        long[] ops = meter.end();
        Totals t = new Totals();
        t.logins = logins.sum();
        t.wrong = wrongAnswers.sum();
        t.seconds = seconds;
        t.searches = ops[0];
        t.binds = ops[1];
        t.compares = ops[2];
        t.maxConnections = ops[3];
        int n = 0;
        for (Samples s : samples) {
            n += s.size;
        }
        long[] all = new long[n];
        int at = 0;
        for (Samples s : samples) {
            System.arraycopy(s.values, 0, all, at, s.size);
            at += s.size;
        }
        Arrays.sort(all);
        t.latencies = all;
        System.out.printf("  %-28s %7.0f logins/s  p50 %6.2f ms  p99 %6.2f ms  p99.9 %6.2f ms  ops/login %.2f  connections %d"
                + "  wrong answers %d  load %s%n", label, t.rate(), t.percentile(0.5), t.percentile(0.99), t.percentile(0.999),
            t.per(t.searches + t.binds + t.compares), t.maxConnections, t.wrong, loadAverage());
        return t;
    }

    private static void pacedScenarios(InMemoryLdap ldap, ConnectionCounter connections) throws Exception {
        LdapVerifier pool = LdapVerifier.create(ldap.settings().poolSize(THREADS).dnCacheTtl(Duration.ZERO).build());
        LdapVerifier defaultPool = LdapVerifier.create(ldap.settings().dnCacheTtl(Duration.ZERO).build());
        ReadOnlyUsersLDAPRepository james = new ReadOnlyUsersLDAPRepository(noDomains());
        james.configure(LdapRepositoryConfiguration.builder()
            .ldapHost(ldap.url())
            .principal(InMemoryLdap.SERVICE_DN)
            .credentials(InMemoryLdap.SERVICE_PASSWORD)
            .userBase(InMemoryLdap.PEOPLE_DN)
            .userIdAttribute("uid")
            .userObjectClass("inetOrgPerson")
            .build());
        james.init();
        Map<String, PacedLogin> paced = new LinkedHashMap<>();
        paced.put(JAMES, i -> james.test(Username.of("u" + i), "pw-" + i));
        paced.put("pack rebind, pool " + THREADS, i -> pack(pool).login(i, false));
        paced.put("pack rebind, default pool " + defaultPool.settings().poolSize(), i -> pack(defaultPool).login(i, false));
        for (int maxPause : PACED_MAX_PAUSE_MILLIS) {
            pacedScenario(maxPause, paced, connections);
        }
        pool.close();
        defaultPool.close();
    }

    /** One login of the paced scenario, always with the right password; true when accepted. */
    private interface PacedLogin {
        boolean login(int user) throws Exception;
    }

    /** CPU nanoseconds, logins and connections opened, summed over rounds of one side. */
    private static final class PacedTotals {
        long cpuNanos;
        long logins;
        long connections;
        double seconds;
    }

    private static void pacedScenario(int maxPauseMillis, Map<String, PacedLogin> sides, ConnectionCounter connections)
        throws InterruptedException {
        System.out.printf("%nPaced: %d threads, each login followed by a seeded random pause of 0-%d ms (same seeds for every side);"
            + " CPU = whole process, in-memory directory included%n", THREADS, maxPauseMillis);
        for (Map.Entry<String, PacedLogin> side : sides.entrySet()) {
            paced("warm-up " + side.getKey(), side.getValue(), PACED_WARM_UP, SEED, maxPauseMillis, connections);
        }
        Map<String, PacedTotals> totals = new LinkedHashMap<>();
        for (int round = 1; round <= ROUNDS; round++) {
            for (Map.Entry<String, PacedLogin> side : sides.entrySet()) {
                PacedTotals t = paced("round " + round + " " + side.getKey(), side.getValue(), PACED_ROUND, SEED + round,
                    maxPauseMillis, connections);
                PacedTotals sum = totals.computeIfAbsent(side.getKey(), k -> new PacedTotals());
                sum.cpuNanos += t.cpuNanos;
                sum.logins += t.logins;
                sum.connections += t.connections;
                sum.seconds += t.seconds;
            }
        }
        System.out.println();
        double jamesCpu = cpuMicrosPerLogin(totals.get(JAMES));
        for (Map.Entry<String, PacedTotals> e : totals.entrySet()) {
            PacedTotals t = e.getValue();
            System.out.printf("paced 0-%2d ms  %-35s %7.0f logins/s  %7.1f us CPU/login  %7.1f connections/1000 logins"
                    + "  CPU per login James/this %5.2fx%n",
                maxPauseMillis, e.getKey(), t.logins / t.seconds, cpuMicrosPerLogin(t), 1000.0 * t.connections / t.logins,
                jamesCpu / cpuMicrosPerLogin(t));
        }
    }

    private static double cpuMicrosPerLogin(PacedTotals t) {
        return t.cpuNanos / 1000.0 / Math.max(1, t.logins);
    }

    /**
     * One paced round: thread {@code t} draws its users and pauses from {@code seed + t}, so two
     * sides run with the same seed see the same sequence; every login must be accepted.
     */
    private static PacedTotals paced(String label, PacedLogin login, Duration length, long seed, int maxPauseMillis,
                                     ConnectionCounter connections) throws InterruptedException {
        com.sun.management.OperatingSystemMXBean os =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        long maxPauseNanos = maxPauseMillis * 1_000_000L;
        LongAdder accepted = new LongAdder();
        LongAdder refused = new LongAdder();
        AtomicBoolean stop = new AtomicBoolean();
        CountDownLatch done = new CountDownLatch(THREADS);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            SplittableRandom random = new SplittableRandom(seed * 1000 + t);
            threads.add(new Thread(() -> {
                try {
                    while (!stop.get()) {
                        try {
                            if (login.login(random.nextInt(USERS))) {
                                accepted.increment();
                            } else {
                                refused.increment();
                            }
                        } catch (Exception e) {
                            refused.increment();
                        }
                        LockSupport.parkNanos(random.nextLong(maxPauseNanos + 1));
                    }
                } finally {
                    done.countDown();
                }
            }));
        }
        long connectionsBefore = connections.count();
        long cpuBefore = os.getProcessCpuTime();
        long start = System.nanoTime();
        threads.forEach(Thread::start);
        Thread.sleep(length.toMillis());
        stop.set(true);
        done.await();
        PacedTotals result = new PacedTotals();
        result.seconds = (System.nanoTime() - start) / 1e9;
        result.cpuNanos = os.getProcessCpuTime() - cpuBefore;
        result.connections = connections.count() - connectionsBefore;
        result.logins = accepted.sum();
        System.out.printf("  %-45s %7.0f logins/s  %7.1f us CPU/login  %7.1f connections/1000 logins (%d accepted, %d not)%n",
            label, result.logins / result.seconds, cpuMicrosPerLogin(result), 1000.0 * result.connections / Math.max(1, result.logins),
            result.logins, refused.sum());
        return result;
    }

    /**
     * Counts, at the in-memory directory, the operations of a round (searches other than the pools'
     * root DSE health checks, simple binds, compares) and the connections that carried one, as
     * distinct connection ids; {@link #count()} is every connection seen since the start (the
     * paced scenario's connections opened). Thread-safe. It costs every operation a set insertion
     * and a counter, for all sides alike.
     */
    private static final class ConnectionCounter extends InMemoryOperationInterceptor implements DirectoryMeter {
        private final Set<Long> seen = ConcurrentHashMap.newKeySet();
        private final Set<Long> round = ConcurrentHashMap.newKeySet();
        private final LongAdder searches = new LongAdder();
        private final LongAdder binds = new LongAdder();
        private final LongAdder compares = new LongAdder();

        long count() {
            return seen.size();
        }

        private void saw(InMemoryInterceptedRequest request) {
            seen.add(request.getConnectionID());
            round.add(request.getConnectionID());
        }

        @Override
        public void begin() {
            round.clear();
            searches.reset();
            binds.reset();
            compares.reset();
        }

        @Override
        public long[] end() {
            return new long[] {searches.sum(), binds.sum(), compares.sum(), round.size()};
        }

        @Override
        public void processSearchRequest(InMemoryInterceptedSearchRequest request) {
            if (!request.getRequest().getBaseDN().isEmpty()) {
                saw(request);
                searches.increment();
            } else {
                // a pool's health check (root DSE) on an idle connection, maybe another side's: not a login's use
                seen.add(request.getConnectionID());
            }
        }

        @Override
        public void processSimpleBindRequest(InMemoryInterceptedSimpleBindRequest request) {
            saw(request);
            binds.increment();
        }

        @Override
        public void processCompareRequest(InMemoryInterceptedCompareRequest request) {
            saw(request);
            compares.increment();
        }

        @Override
        public void processExtendedRequest(InMemoryInterceptedExtendedRequest request) {
            saw(request);
        }
    }

    /**
     * Reads slapd's {@code cn=Monitor} on the root connection: completed searches, binds and
     * compares, and the connections whose completed-operation count moved in the round (plus those
     * opened and closed within it). The monitor's own reads are left out of the counts. Not
     * thread-safe: the benchmark's main thread only.
     */
    private static final class SlapdMonitor implements DirectoryMeter {
        private static final String OPERATIONS = "cn=Operations,cn=Monitor";
        private static final String CONNECTIONS = "cn=Connections,cn=Monitor";
        private final LDAPConnection root;
        private long[] operationsBefore;
        private Map<Long, Long> connectionsBefore;
        private long totalBefore;

        SlapdMonitor(LDAPConnection root) {
            this.root = root;
        }

        private long[] operations() throws LDAPException {
            long[] ops = new long[3];
            for (SearchResultEntry e : root.search(OPERATIONS, SearchScope.ONE, "(objectClass=*)", "monitorOpCompleted")
                .getSearchEntries()) {
                String rdn = e.getParsedDN().getRDN().getAttributeValues()[0];
                long completed = e.getAttributeValueAsLong("monitorOpCompleted");
                switch (rdn) {
                    case "Search" -> ops[0] = completed;
                    case "Bind" -> ops[1] = completed;
                    case "Compare" -> ops[2] = completed;
                    default -> { }
                }
            }
            return ops;
        }

        /** Open connections: number to operations completed; the root connection left out. */
        private Map<Long, Long> connections() throws LDAPException {
            Map<Long, Long> open = new java.util.HashMap<>();
            for (SearchResultEntry e : root.search(CONNECTIONS, SearchScope.ONE, "(objectClass=monitorConnection)",
                "monitorConnectionNumber", "monitorConnectionOpsCompleted", "monitorConnectionAuthzDN").getSearchEntries()) {
                if (!SlapdServer.ROOT_DN.equalsIgnoreCase(e.getAttributeValue("monitorConnectionAuthzDN"))) {
                    open.put(e.getAttributeValueAsLong("monitorConnectionNumber"),
                        e.getAttributeValueAsLong("monitorConnectionOpsCompleted"));
                }
            }
            return open;
        }

        private long total() throws LDAPException {
            return root.getEntry("cn=Total," + CONNECTIONS, "monitorCounter").getAttributeValueAsLong("monitorCounter");
        }

        @Override
        public void begin() throws LDAPException {
            connectionsBefore = connections();
            totalBefore = total();
            operationsBefore = operations();
        }

        @Override
        public long[] end() throws LDAPException {
            long[] after = operations();
            long total = total();
            Map<Long, Long> open = connections();
            long used = 0;
            long fresh = 0;
            for (Map.Entry<Long, Long> c : open.entrySet()) {
                Long before = connectionsBefore.get(c.getKey());
                if (before == null) {
                    fresh++;
                    used++;
                } else if (c.getValue() > before) {
                    used++;
                }
            }
            // opened and closed again within the round (James' pool shrinks): used too
            used += Math.max(0, total - totalBefore - fresh);
            // the monitor's own searches between the two operation reads: begin's operations read
            // and end's operations read itself are counted by the directory in one of the two
            return new long[] {after[0] - operationsBefore[0] - 1, after[1] - operationsBefore[1],
                after[2] - operationsBefore[2], used};
        }
    }

    /** James' repository asks the domain list only with virtual hosting, which is off here. */
    private static DomainList noDomains() {
        return (DomainList) Proxy.newProxyInstance(DomainList.class.getClassLoader(), new Class<?>[] {DomainList.class},
            (proxy, method, args) -> {
                Class<?> type = method.getReturnType();
                if (type == boolean.class) {
                    return false;
                }
                if (type == List.class) {
                    return List.of();
                }
                throw new UnsupportedOperationException("DomainList." + method.getName() + " in the benchmark");
            });
    }
}
